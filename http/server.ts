/**
 * natter's HTTP surface (contract H1-H6, docs/protocol.md R2, R3, S1) and its
 * lifecycle: a listener (`listen/listen.ts`, for plain HTTP and TLS alike),
 * the rooms with their Hubs, a Client per upgraded socket, and a shutdown
 * that always ends.
 *
 * @module
 */

import { type Identity, mayJoin, TokenError, tokenOf } from "../auth/token.ts";
import { Admission } from "./listen/admission.ts";
import { Client, type ClientOptions } from "../client.ts";
import { checkHandshake } from "./handshake.ts";
import { type CloseReason, SERVICE_RESTART } from "../util/close_reasons.ts";
import { IpCounts } from "./listen/ip_slots.ts";
import { type Handler, listen, upgradeWebSocket } from "./listen/listen.ts";
import { createMetrics, type Metrics } from "../ops/metrics.ts";
import { serveOps, text } from "../ops/routes.ts";
import { originCheck } from "./origin.ts";
import { servePage } from "./page.ts";
import { DEFAULT_ROOM, isRoomName } from "../protocol/names.ts";
import { Rooms } from "../room/rooms.ts";
import { MemoryStore } from "../store/memory.ts";
import type { Natter, ServerOptions } from "./server_options.ts";

export { SERVICE_RESTART };
export type { Natter, ServerOptions } from "./server_options.ts";

/** The WebSocket subprotocol of natter's structured protocol (S1). */
export const SUBPROTOCOL = "natter.v1";

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

/** What the request handler shares with the server around it. */
interface Shared {
  rooms: Rooms;
  /** Open sockets, with the address each came from. */
  sockets: Map<WebSocket, string>;
  /** Open connections by client id, for the server API. */
  clients: Map<string, Client>;
  /** Whether the server is draining or stopping. */
  draining: boolean;
  /** What `/readyz` says: not draining, and the store (Redis) can serve. */
  ready(): boolean;
  /** The server's metrics. */
  metrics: Metrics;
}

/**
 * Answers one request: the operations endpoints, the page at `/` and
 * `/r/{room}`, WebSocket upgrades at `/ws` and `/ws/{room}`, 404 elsewhere.
 */
function createHandler(
  shared: Shared,
  options: ServerOptions,
): Handler {
  const { rooms, sockets, clients, metrics } = shared;
  const originAllowed = originCheck(options.allowOrigins);
  const idleTimeout = options.idleTimeout ?? 60;
  const maxClients = options.maxConnections ?? Infinity;
  const admission = new Admission(maxClients, {
    full: `${maxClients} clients connected, the most allowed ` +
      "(--max-connections): refusing new ones with 503 until some leave",
    log: options.log,
  });
  const maxPerIp = options.maxConnectionsPerIp ?? 0;
  const perIp = options.ipSlots ??
    (maxPerIp > 0 ? new IpCounts(maxPerIp) : undefined);
  const prefix = options.idPrefix ?? randomPrefix();
  const ops = {
    ready: shared.ready,
    metrics,
    metricsToken: options.metricsToken,
    api: options.adminToken === undefined ? undefined : {
      token: options.adminToken,
      rooms,
      connections: clients,
      maxMessageSize: options.maxMessageSize ?? 512,
      historyPage: options.historyPage ?? 100,
    },
  };
  let connections = 0;
  // One function for every socket, rather than a listener closure each.
  const clientOptions: ClientOptions = {
    ...options,
    meter: metrics,
    onClose: (socket, client) => {
      const ip = sockets.get(socket);
      sockets.delete(socket);
      clients.delete(client.id);
      if (ip !== undefined) perIp?.give(ip);
    },
  };
  const log = options.log ?? (() => {});
  return async (request, info) => {
    const url = new URL(request.url);
    const answer = serveOps(request, url, ops);
    if (answer) return await answer;
    const page = roomOf(url.pathname, "/", "/r/");
    if (page) return servePage(request);
    const room = roomOf(url.pathname, "/ws", "/ws/");
    if (!room) return text(404, "Not Found");
    const refusal = checkHandshake(request, originAllowed);
    if (refusal) {
      return text(refusal.status, refusal.message, {
        "sec-websocket-version": "13",
      });
    }
    if (!admission.admits()) {
      return text(503, "Service Unavailable: too many connections");
    }
    // The slots are held from here, before anything is awaited, so that
    // upgrades waiting on a token cannot all pass the caps at once; every
    // refusal below gives them back.
    const slot = {};
    admission.add(slot);
    const ip = info.remoteAddr.hostname;
    let ipTaken = false;
    let upgraded = false;
    try {
      ipTaken = perIp ? await perIp.take(ip) : false;
      if (perIp && !ipTaken) {
        return text(429, `Too many connections from "${ip}"`);
      }
      let identity: Identity | undefined;
      if (options.verifier) {
        try {
          const token = tokenOf(request, url);
          if (token === undefined) {
            return text(401, "A token is needed", {
              "www-authenticate": "Bearer",
            });
          }
          identity = await options.verifier(token);
        } catch (error) {
          if (!(error instanceof TokenError)) throw error;
          return text(401, error.message, { "www-authenticate": "Bearer" });
        }
      }
      const structured = offersSubprotocol(request);
      if (!structured && !mayJoin(identity, room)) {
        return text(403, `The token does not allow room "${room}"`);
      }
      if (!structured && !rooms.admits(room)) {
        return text(503, `Cannot open room "${room}": too many rooms`);
      }
      const { socket, response } = upgradeWebSocket(request, {
        idleTimeout,
        protocol: structured ? SUBPROTOCOL : undefined,
      });
      upgraded = true;
      admission.release(slot);
      admission.add(socket);
      const id = prefix + (++connections).toString(36);
      try {
        const client = new Client(socket, {
          id,
          rooms,
          room: structured ? undefined : room,
          identity,
        }, clientOptions);
        sockets.set(socket, ip);
        clients.set(id, client);
      } catch (error) {
        // The socket still counts until it has closed, with its address.
        log(
          `cannot serve connection ${id}: ${(error as Error)?.stack ?? error}`,
        );
        if (ipTaken) {
          socket.addEventListener("close", () => perIp?.give(ip), {
            once: true,
          });
        }
        socket.addEventListener(
          "open",
          () => socket.close(1011, "internal error"),
          { once: true },
        );
      }
      return response;
    } finally {
      if (!upgraded) {
        admission.release(slot);
        if (ipTaken) perIp?.give(ip);
      }
    }
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
  const sockets = new Map<WebSocket, string>();
  const metrics = createMetrics({
    connections: () => sockets.size,
    rooms: () => rooms.size,
  });
  const rooms: Rooms = new Rooms(store, {
    ...options,
    meter: metrics,
    // A burst must not overflow the queue of a client that keeps up.
    maxBatch: options.queueSize ?? 256,
  });
  const shared: Shared = {
    rooms,
    sockets,
    clients: new Map(),
    draining: false,
    // Not ready while draining for a restart, or while the store (Redis)
    // cannot serve.
    ready: () => !shared.draining && (rooms.store.ready?.() ?? true),
    metrics,
  };
  const handler = createHandler(shared, options);
  const where = {
    hostname: options.hostname ?? "0.0.0.0",
    port: options.port ?? 8080,
    reusePort: options.reusePort ?? false,
  };
  // TLS goes through the same listener, with the same deadline and caps.
  const server = listen({
    ...where,
    cert: options.cert,
    key: options.key,
    requestTimeout: options.requestTimeout,
    maxSockets: options.maxSockets,
    log: options.log,
    onListen: options.onListen,
  }, handler);
  let stopping: Promise<boolean> | undefined;
  const shutdown = (reason?: CloseReason) => {
    shared.draining = true;
    stopping ??= stop(
      server,
      rooms,
      shared.sockets,
      { timeout: options.shutdownTimeout ?? 5000, reason },
    );
    return stopping;
  };
  return {
    addr: server.addr,
    rooms,
    members: (room = DEFAULT_ROOM) => rooms.find(room)?.size ?? 0,
    get ready() {
      return shared.ready();
    },
    drain: () => {
      shared.draining = true;
    },
    shutdown,
    async [Symbol.asyncDispose]() {
      await shutdown();
    },
  };
}

async function stop(
  server: { shutdown(): Promise<void> },
  rooms: Rooms,
  sockets: Map<WebSocket, string>,
  { timeout, reason }: { timeout: number; reason?: CloseReason },
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeout);
  });
  try {
    // The Hubs tell every open client to close with natter's 1001; the
    // listener's shutdown leaves WebSockets alone, so this waits until they
    // have closed (or the deadline has passed). Clients close on the
    // next turn of the event loop (see client.ts): the closes scheduled
    // before shutdown, such as an eviction's, happen first, and those
    // sockets are not waited for: a stalled one never finishes closing. (An
    // evicted client whose socket may still drain has not closed yet: it is
    // waited for like the others.)
    await new Promise((resolve) => setTimeout(resolve, 0));
    const closed = [...sockets.keys()]
      .filter((socket) => socket.readyState <= WebSocket.OPEN)
      .map((socket) =>
        new Promise((resolve) => {
          socket.addEventListener("close", resolve, { once: true });
        })
      );
    await rooms.close(reason);
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
