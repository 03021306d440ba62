/**
 * A natter server on several threads: workers that share the port, each
 * with its own Hubs and connections, and one order per room for all of them
 * (I4), kept by the main thread's store.
 *
 * Every worker appends what its clients send to the main thread's store,
 * which gives each message its room's next offset and feeds it to every
 * worker serving that room, the sender's included. Hubs fan out only what
 * the store feeds, so every member on every worker sees every message of its
 * room, in offset order.
 *
 * @module
 */

import type { VerifierOptions } from "../auth/token.ts";
import type { CloseReason } from "../util/close_reasons.ts";
import {
  type IpAnswer,
  type IpCall,
  IpCounts,
  IpHost,
} from "../http/listen/ip_slots.ts";
import type { LogOptions } from "../util/log.ts";
import type { ServerOptions } from "../http/server.ts";
import { MemoryStore } from "../store/memory.ts";
import type { RedisStoreOptions } from "../store/redis.ts";
import {
  type StoreAnswer,
  type StoreCall,
  StoreHost,
} from "../store/remote.ts";
import { DEFAULTS } from "../settings/settings.ts";

/** The settings a worker gets: a server's options that can be cloned. */
export type WorkerOptions =
  & Omit<
    ServerOptions,
    | "onListen"
    | "log"
    | "store"
    | "reusePort"
    | "verifier"
    | "meter"
    | "ipSlots"
  >
  & {
    /** The token keys: each worker makes its own verifier. */
    tokens?: VerifierOptions;
    /** How the worker logs. */
    logging?: Omit<LogOptions, "write">;
  };

/** Where the rooms live when they live in Redis. */
export interface SharedStore extends Pick<RedisStoreOptions, "presenceExpiry"> {
  /** The Redis URL. */
  url: string;
}

/** A message from the main thread to a worker. */
export type ToWorker =
  | { type: "start"; options: WorkerOptions; redis?: SharedStore }
  | StoreAnswer
  | IpAnswer
  | { type: "drain" }
  | { type: "stop"; reason?: CloseReason };

/** A message from a worker to the main thread. */
export type FromWorker =
  | { type: "listening"; addr: Deno.NetAddr }
  | { type: "failed"; name: string; message: string }
  | StoreCall
  | IpCall
  | { type: "stopped"; clean: boolean };

/** Options for {@linkcode serveCluster}. */
export interface ClusterOptions extends WorkerOptions {
  /** How many worker threads serve connections; at least 1. */
  workers: number;
  /** Called once every worker listens. */
  onListen?: (addr: Deno.NetAddr) => void;
  /**
   * Keep the rooms in this Redis: each worker uses it directly, as one
   * more node. Otherwise they live in the main thread's memory.
   */
  redis?: SharedStore;
}

/** A running multi-threaded natter. */
export interface Cluster extends AsyncDisposable {
  /** The address every worker listens on. */
  readonly addr: Deno.NetAddr;
  /**
   * Turns every worker's `/readyz` to 503 ahead of a shutdown, in which each
   * worker then closes its clients over the drain window.
   */
  drain(): void;
  /**
   * How many messages each worker's clients have sent so far, by worker: it
   * shows how the kernel spread the connections (a worker whose count grows
   * serves the client that just sent).
   */
  readonly published: readonly number[];
  /**
   * Shuts every worker down as {@linkcode Natter.shutdown} does, then ends
   * the threads.
   *
   * @returns `true` if every connection ended in time.
   */
  shutdown(reason?: CloseReason): Promise<boolean>;
}

/**
 * Starts natter on `options.workers` threads. The first worker binds the
 * port (0 picks one); the others join it.
 *
 * @throws what the first worker that failed to listen threw, for example
 * `Deno.errors.AddrInUse`.
 * @example
 * ```ts
 * await using cluster = await serveCluster({ workers: 2, port: 8080 });
 * ```
 */
export async function serveCluster(options: ClusterOptions): Promise<Cluster> {
  const { workers: count, onListen, redis, ...settings } = options;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`Cannot start "${count}" workers: not a whole number`);
  }
  const host = new StoreHost(new MemoryStore(settings));
  // The per-IP cap holds for the process: the workers ask this thread.
  const perIp = settings.maxConnectionsPerIp
    ? new IpCounts(settings.maxConnectionsPerIp)
    : undefined;
  // Every worker's connections get ids no other worker gives out.
  const prefix = crypto.randomUUID().slice(0, 4);
  const workers: Worker[] = [];
  const stops: Promise<boolean>[] = [];
  const published: number[] = [];
  let addr: Deno.NetAddr | undefined;
  try {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL("./worker.ts", import.meta.url), {
        type: "module",
      });
      workers.push(worker);
      published.push(0);
      const started = Promise.withResolvers<Deno.NetAddr>();
      const stopped = Promise.withResolvers<boolean>();
      stops.push(stopped.promise);
      const ips = perIp && new IpHost(perIp);
      // A worker that dies gives back the addresses' places it held.
      worker.addEventListener("error", () => ips?.giveBackAll());
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const message = event.data;
        switch (message.type) {
          case "store":
            if (message.method === "append") {
              published[i] += (message.args[1] as unknown[]).length;
            }
            return void host.handle(message, (answer) => post(worker, answer));
          case "ip":
            return ips?.handle(message, (answer) => post(worker, answer));
          case "listening":
            return started.resolve(message.addr);
          case "failed":
            return started.reject(revive(message.name, message.message));
          case "stopped":
            return stopped.resolve(message.clean);
        }
      };
      const port = addr?.port ?? settings.port;
      const idPrefix = `${prefix}${i.toString(36)}-`;
      // The process's caps, shared: each worker holds its part.
      const maxConnections = share(settings.maxConnections, count);
      const maxSockets = share(settings.maxSockets, count);
      // The node's accept rate likewise, each part rounded up (0 is none).
      const acceptRate = settings.acceptRate &&
        Math.ceil(settings.acceptRate / count);
      post(worker, {
        type: "start",
        options: {
          ...settings,
          port,
          idPrefix,
          maxConnections,
          maxSockets,
          acceptRate,
        },
        redis,
      });
      addr = await started.promise;
    }
  } catch (error) {
    for (const worker of workers) worker.terminate();
    throw error;
  }
  const listening = addr!;
  onListen?.(listening);
  let drained = false;
  let stopping: Promise<boolean> | undefined;
  const shutdown = (reason?: CloseReason) => {
    stopping ??= (async () => {
      for (const worker of workers) post(worker, { type: "stop", reason });
      // Each worker gives up on its stragglers at the shutdown timeout (a
      // drained one after closing its own clients over the window); a
      // worker that does not answer at all is not waited for much longer.
      const window = drained ? settings.drainWindow ?? DEFAULTS.drainWindow : 0;
      const grace = (settings.shutdownTimeout ?? DEFAULTS.shutdownTimeout) +
        window + 1000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), grace);
      });
      const clean = await Promise.race([
        Promise.all(stops).then((all) => all.every(Boolean)),
        late,
      ]);
      clearTimeout(timer);
      for (const worker of workers) worker.terminate();
      return clean;
    })();
    return stopping;
  };
  return {
    addr: listening,
    drain: () => {
      drained = true;
      for (const worker of workers) post(worker, { type: "drain" });
    },
    published,
    shutdown,
    async [Symbol.asyncDispose]() {
      await shutdown();
    },
  };
}

/** One worker's part of a cap the process's `count` workers share. */
function share(cap: number | undefined, count: number): number | undefined {
  return cap === undefined ? undefined : Math.max(1, Math.floor(cap / count));
}

function post(worker: Worker, message: ToWorker): void {
  worker.postMessage(message);
}

/** Rebuilds a worker's error as the class the main thread can test for. */
function revive(name: string, message: string): Error {
  const errors = Deno.errors as unknown as Record<
    string,
    new (message: string) => Error
  >;
  const Class = Object.hasOwn(errors, name) ? errors[name] : undefined;
  const error = Class ? new Class(message) : new Error(message);
  if (!Class) error.name = name;
  return error;
}
