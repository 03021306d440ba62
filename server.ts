/**
 * natter's HTTP surface (contract H1-H6, PROTOCOL.md R2, R3, S1) and its
 * lifecycle: `Deno.serve`, the rooms with their Hubs, a Client per upgraded
 * socket, and a shutdown that always ends.
 *
 * @module
 */

import { Client, type ClientOptions } from "./client.ts";
import { checkHandshake } from "./handshake.ts";
import { healthResponse } from "./health.ts";
import { originCheck } from "./origin.ts";
import { servePage } from "./page.ts";
import { DEFAULT_ROOM, isRoomName } from "./protocol/names.ts";
import { Rooms, type RoomsOptions } from "./rooms.ts";
import { MemoryStore, type MemoryStoreOptions } from "./store/memory.ts";
import type { Store } from "./store/store.ts";

/** The WebSocket subprotocol of natter's structured protocol (S1). */
export const SUBPROTOCOL = "natter.v1";

/** Options for {@linkcode serve}. */
export interface ServerOptions
  extends
    Omit<ClientOptions, "onClose">,
    Omit<RoomsOptions, "log" | "maxBatch">,
    Omit<MemoryStoreOptions, "now"> {
  /**
   * The interface to listen on.
   * @default {"0.0.0.0"}
   */
  hostname?: string;
  /**
   * The port to listen on; 0 picks a free one.
   * @default {8080}
   */
  port?: number;
  /**
   * Origins allowed besides the request's own host (H5); `*` allows all.
   * @default {[]}
   */
  allowOrigins?: readonly string[];
  /**
   * Seconds a connection may stay silent: Deno pings it after half of this
   * and drops it at this if no pong came (K4, K5, O4).
   * @default {60}
   */
  idleTimeout?: number;
  /**
   * Milliseconds {@linkcode Natter.shutdown} waits for connections to close
   * before it gives up on the stragglers.
   * @default {5000}
   */
  shutdownTimeout?: number;
  /**
   * Share the port with other listeners (SO_REUSEPORT), as the workers of
   * one server do; the kernel spreads connections across them.
   * @default {false}
   */
  reusePort?: boolean;
  /**
   * Where rooms, history and presence live.
   * @default {a MemoryStore with the history options}
   */
  store?: Store;
  /**
   * Prefixes every connection id this server gives out, so that ids from
   * several servers sharing a store never collide.
   * @default {random}
   */
  idPrefix?: string;
  /** Called once the server listens. */
  onListen?: (addr: Deno.NetAddr) => void;
}

/** A running natter server. */
export interface Natter extends AsyncDisposable {
  /** The address it listens on (the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  /** The rooms, each with its Hub. */
  readonly rooms: Rooms;
  /** How many members `room` has now (0 when it does not exist). */
  members(room?: string): number;
  /**
   * Closes every client with 1001, stops listening and waits for connections
   * to end, giving up after the shutdown timeout.
   *
   * @returns `true` if every connection ended in time.
   */
  shutdown(): Promise<boolean>;
}

/**
 * The room a path names: `/ws` and `/` are the default room, `/ws/{room}`
 * and `/r/{room}` name one (R2, R3); `null` when the path is not one of
 * `prefix`'s, `undefined` when its room name is invalid.
 */
function roomOf(
  pathname: string,
  bare: string,
  prefix: string,
): string | null | undefined {
  if (pathname === bare) return DEFAULT_ROOM;
  if (!pathname.startsWith(prefix)) return null;
  const room = pathname.slice(prefix.length);
  return isRoomName(room) ? room : undefined;
}

/** Whether the client offered natter.v1 among its subprotocols (S1, H6). */
function offersSubprotocol(request: Request): boolean {
  const offered = request.headers.get("sec-websocket-protocol");
  if (offered === null) return false;
  return offered.split(",").some((p) => p.trim() === SUBPROTOCOL);
}

/**
 * Answers one request: the page at `/` and `/r/{room}`, WebSocket upgrades
 * at `/ws` and `/ws/{room}`, 404 elsewhere. Every upgraded socket is kept in
 * `sockets` until it closes.
 */
function createHandler(
  rooms: Rooms,
  sockets: Set<WebSocket>,
  options: ServerOptions,
): (request: Request) => Response {
  const originAllowed = originCheck(options.allowOrigins);
  const idleTimeout = options.idleTimeout ?? 60;
  const maxRooms = options.maxRooms ?? 4096;
  const prefix = options.idPrefix ?? randomPrefix();
  let connections = 0;
  // One function for every socket, rather than a listener closure each.
  const clientOptions: ClientOptions = {
    ...options,
    onClose: (socket) => sockets.delete(socket),
  };
  return (request) => {
    const { pathname } = new URL(request.url);
    // Health for load balancers (issue 11): /healthz and /readyz.
    const health = healthResponse(pathname, rooms.store);
    if (health) return health;
    const page = roomOf(pathname, "/", "/r/");
    if (page) return servePage(request);
    const room = roomOf(pathname, "/ws", "/ws/");
    if (!room) return text(404, "Not Found");
    const refusal = checkHandshake(request, originAllowed);
    if (refusal) {
      return text(refusal.status, refusal.message, {
        "sec-websocket-version": "13",
      });
    }
    const structured = offersSubprotocol(request);
    if (!structured && !rooms.find(room) && rooms.size >= maxRooms) {
      return text(503, `Cannot open room "${room}": too many rooms`);
    }
    const { socket, response } = Deno.upgradeWebSocket(request, {
      idleTimeout,
      protocol: structured ? SUBPROTOCOL : undefined,
    });
    const id = prefix + (++connections).toString(36);
    new Client(socket, {
      id,
      rooms,
      room: structured ? undefined : room,
    }, clientOptions);
    sockets.add(socket);
    return response;
  };
}

/** A short random prefix for connection ids: 4 base-36 characters and "-". */
function randomPrefix(): string {
  const n = crypto.getRandomValues(new Uint32Array(1))[0];
  return (n % 36 ** 4).toString(36).padStart(4, "0") + "-";
}

/**
 * Starts natter.
 *
 * @example
 * ```ts
 * await using natter = serve({ port: 0, hostname: "127.0.0.1" });
 * console.log(`ws://127.0.0.1:${natter.addr.port}/ws`);
 * ```
 */
export function serve(options: ServerOptions = {}): Natter {
  const store = options.store ?? new MemoryStore(options);
  const rooms = new Rooms(store, {
    ...options,
    // A burst must not overflow the queue of a client that keeps up.
    maxBatch: options.queueSize ?? 256,
  });
  const sockets = new Set<WebSocket>();
  const server = Deno.serve({
    hostname: options.hostname ?? "0.0.0.0",
    port: options.port ?? 8080,
    reusePort: options.reusePort ?? false,
    onListen: (addr) => options.onListen?.(addr as Deno.NetAddr),
  }, createHandler(rooms, sockets, options));
  let stopping: Promise<boolean> | undefined;
  const shutdown = () => {
    stopping ??= stop(
      server,
      rooms,
      sockets,
      options.shutdownTimeout ?? 5000,
    );
    return stopping;
  };
  return {
    addr: server.addr,
    rooms,
    members: (room = DEFAULT_ROOM) => rooms.find(room)?.size ?? 0,
    shutdown,
    async [Symbol.asyncDispose]() {
      await shutdown();
    },
  };
}

async function stop(
  server: Deno.HttpServer,
  rooms: Rooms,
  sockets: Set<WebSocket>,
  timeout: number,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeout);
  });
  try {
    // The Hubs tell every open client to close with natter's 1001. Deno's
    // own shutdown would close them with its own reason, so it waits until
    // they have closed (or the deadline has passed). Clients close on the
    // next turn of the event loop (see client.ts): the closes scheduled
    // before shutdown, such as an eviction's, happen first, and those
    // sockets are not waited for: a stalled one never finishes closing.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const closed = [...sockets]
      .filter((socket) => socket.readyState <= WebSocket.OPEN)
      .map((socket) =>
        new Promise((resolve) => {
          socket.addEventListener("close", resolve, { once: true });
        })
      );
    await rooms.close();
    const inTime = await Promise.race([
      Promise.all(closed).then(() => true),
      deadline,
    ]);
    const ended = server.shutdown().then(() => true);
    return await Promise.race([ended, deadline]) && inTime;
  } finally {
    clearTimeout(timer);
  }
}

function text(
  status: number,
  body: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(body + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}
