/**
 * natter's HTTP surface (contract H1-H6, docs/protocol.md R2, R3, S1):
 * `serve` puts a server together and routes each request. The parts have
 * files of their own: the listener with its TLS choice (`listener.ts`),
 * the checks before an upgrade (`upgrade_gate.ts`), the open connections
 * (`connections.ts`) and a shutdown that always ends (`shutdown.ts`).
 *
 * @module
 */

import { Connections } from "./connections.ts";
import { type Handler, upgradeWebSocket } from "./listen/listen.ts";
import { openListener } from "./listener.ts";
import { servePage } from "./page.ts";
import type { Natter, ServerOptions } from "./server_options.ts";
import { shutDown } from "./shutdown.ts";
import { UpgradeGate } from "./upgrade_gate.ts";
import { createMetrics, type Metrics } from "../ops/metrics.ts";
import { serveOps, text } from "../ops/routes.ts";
import { DEFAULT_ROOM, isRoomName } from "../protocol/names.ts";
import { Rooms } from "../room/rooms.ts";
import { MemoryStore } from "../store/memory.ts";
import { type CloseReason, SERVICE_RESTART } from "../util/close_reasons.ts";
import { withDefaults } from "../settings/with_defaults.ts";
import { DEFAULTS } from "../settings/settings.ts";

export { SERVICE_RESTART };
export { SUBPROTOCOL } from "./upgrade_gate.ts";
export type { Natter, ServerOptions } from "./server_options.ts";

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

/** What the request handler serves. */
interface Parts {
  rooms: Rooms;
  connections: Connections;
  metrics: Metrics;
  /** What `/readyz` says. */
  ready(): boolean;
}

/**
 * Answers one request: the operations endpoints, the page at `/` and
 * `/r/{room}`, WebSocket upgrades at `/ws` and `/ws/{room}`, 404 elsewhere.
 */
function createHandler(parts: Parts, options: ServerOptions): Handler {
  const { rooms, connections } = parts;
  const gate = new UpgradeGate(rooms, options);
  const idleTimeout = options.idleTimeout ?? DEFAULTS.idleTimeout;
  const ops = {
    ready: parts.ready,
    metrics: parts.metrics,
    metricsToken: options.metricsToken,
    api: options.adminToken === undefined ? undefined : {
      token: options.adminToken,
      rooms,
      connections: connections.byId,
      maxMessageSize: options.maxMessageSize ?? DEFAULTS.maxMessageSize,
      historyPage: options.historyPage ?? DEFAULTS.historyPage,
    },
  };
  return async (request, info) => {
    const url = new URL(request.url);
    const answer = serveOps(request, url, ops);
    if (answer) return await answer;
    const page = roomOf(url.pathname, "/", "/r/");
    if (page) return servePage(request);
    const room = roomOf(url.pathname, "/ws", "/ws/");
    if (!room) return text(404, "Not Found");
    const checked = await gate.check(request, {
      url,
      room,
      ip: info.remoteAddr.hostname,
    });
    if (checked instanceof Response) return checked;
    // Until the upgrade, the pass holds the upgrade's slots; if the upgrade
    // throws, they are given back here.
    using pass = checked;
    const { socket, response } = upgradeWebSocket(request, {
      idleTimeout,
      protocol: pass.protocol,
    });
    pass.upgraded(socket);
    connections.open(socket, { room: pass.room, identity: pass.identity });
    return response;
  };
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
export function serve(given: ServerOptions = {}): Natter {
  // Resolved once: every part below gets the settings with their defaults.
  const options = withDefaults(given);
  const store = options.store ?? new MemoryStore(options);
  const metrics = createMetrics({
    connections: () => connections.size,
    rooms: () => rooms.size,
  });
  const rooms: Rooms = new Rooms(store, {
    ...options,
    meter: metrics,
    // A burst must not overflow the queue of a client that keeps up.
    maxBatch: options.queueSize,
  });
  const connections = new Connections(rooms, { ...options, meter: metrics });
  let draining = false;
  // Not ready while draining for a restart, or while the store (Redis)
  // cannot serve.
  const ready = () => !draining && (rooms.store.ready?.() ?? true);
  const handler = createHandler(
    { rooms, connections, metrics, ready },
    options,
  );
  const listener = openListener(options, handler);
  let stopping: Promise<boolean> | undefined;
  const shutdown = (reason?: CloseReason) => {
    draining = true;
    stopping ??= shutDown(
      { rooms, connections, listener },
      { timeout: options.shutdownTimeout, reason },
    );
    return stopping;
  };
  return {
    addr: listener.addr,
    rooms,
    members: (room = DEFAULT_ROOM) => rooms.find(room)?.size ?? 0,
    get ready() {
      return ready();
    },
    drain: () => {
      draining = true;
    },
    shutdown,
    async [Symbol.asyncDispose]() {
      await shutdown();
    },
  };
}
