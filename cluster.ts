/**
 * A natter server on several threads: workers that share the port, each
 * with its own Hub and connections, and one message order for all of them
 * (I4), kept by a {@linkcode Sequencer} on the main thread.
 *
 * Every worker publishes what its clients send; the main thread forwards each
 * batch to every worker, itself included, in the order the batches reached
 * it. Workers fan out only what comes back, so every client on every worker
 * sees every message, in the same order.
 *
 * @module
 */

import { Sequencer } from "./relay.ts";
import type { ServerOptions } from "./server.ts";

/** The settings a worker gets: a server's options that can be cloned. */
export type WorkerOptions = Omit<
  ServerOptions,
  "onListen" | "log" | "relay" | "reusePort"
>;

/** A message from the main thread to a worker. */
export type ToWorker =
  | { type: "start"; options: WorkerOptions }
  | { type: "messages"; messages: readonly string[] }
  | { type: "stop" };

/** A message from a worker to the main thread. */
export type FromWorker =
  | { type: "listening"; addr: Deno.NetAddr }
  | { type: "failed"; name: string; message: string }
  | { type: "publish"; messages: readonly string[] }
  | { type: "stopped"; clean: boolean };

/** Options for {@linkcode serveCluster}. */
export interface ClusterOptions extends WorkerOptions {
  /** How many worker threads serve connections; at least 1. */
  workers: number;
  /** Called once every worker listens. */
  onListen?: (addr: Deno.NetAddr) => void;
}

/** A running multi-threaded natter. */
export interface Cluster extends AsyncDisposable {
  /** The address every worker listens on. */
  readonly addr: Deno.NetAddr;
  /**
   * Shuts every worker down as {@linkcode Natter.shutdown} does, then ends
   * the threads.
   *
   * @returns `true` if every connection ended in time.
   */
  shutdown(): Promise<boolean>;
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
  const { workers: count, onListen, ...settings } = options;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`Cannot start "${count}" workers: not a whole number`);
  }
  const sequencer = new Sequencer();
  const workers: Worker[] = [];
  const stops: Promise<boolean>[] = [];
  let addr: Deno.NetAddr | undefined;
  try {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL("./worker.ts", import.meta.url), {
        type: "module",
      });
      workers.push(worker);
      const started = Promise.withResolvers<Deno.NetAddr>();
      const stopped = Promise.withResolvers<boolean>();
      stops.push(stopped.promise);
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const message = event.data;
        switch (message.type) {
          case "publish":
            return sequencer.order(message.messages);
          case "listening":
            return started.resolve(message.addr);
          case "failed":
            return started.reject(revive(message.name, message.message));
          case "stopped":
            return stopped.resolve(message.clean);
        }
      };
      sequencer.listen((messages) =>
        post(worker, { type: "messages", messages })
      );
      const port = addr?.port ?? settings.port;
      // The process's caps, shared: each worker holds its part.
      const maxConnections = share(settings.maxConnections, count);
      const maxSockets = share(settings.maxSockets, count);
      post(worker, {
        type: "start",
        options: { ...settings, port, maxConnections, maxSockets },
      });
      addr = await started.promise;
    }
  } catch (error) {
    for (const worker of workers) worker.terminate();
    throw error;
  }
  const listening = addr!;
  onListen?.(listening);
  let stopping: Promise<boolean> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      for (const worker of workers) post(worker, { type: "stop" });
      // Each worker gives up on its stragglers at the shutdown timeout; a
      // worker that does not answer at all is not waited for much longer.
      const grace = (settings.shutdownTimeout ?? 5000) + 1000;
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
