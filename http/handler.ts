/**
 * natter's request handler: what one request under the mount prefix gets.
 * The operations endpoints, the page at `/` and `/r/{room}`, WebSocket
 * upgrades at `/ws` and `/ws/{room}` (R2, R3), each below the prefix; 404
 * for anything else, and for every path outside the prefix. The upgrade
 * itself is a seam: natter's own listener upgrades on its connections, a
 * mounted natter with `Deno.upgradeWebSocket`.
 *
 * @module
 */

import type { Connections } from "./connections.ts";
import type { Handler } from "./listen/listen_options.ts";
import type { Upgrade } from "./natter_options.ts";
import { pageAt } from "./page.ts";
import { localPath } from "./prefix.ts";
import { UpgradeGate, type UpgradeGateOptions } from "./upgrade_gate.ts";
import type { Metrics } from "../ops/metrics.ts";
import type { Operable } from "../ops/operations.ts";
import { serveOps, text } from "../ops/routes.ts";
import { DEFAULT_ROOM, isRoomName } from "../protocol/names.ts";
import type { Rooms } from "../room/rooms.ts";

/** What the handler serves. */
export interface HandlerParts {
  rooms: Rooms;
  connections: Connections;
  metrics: Metrics;
  /** What the server API works on. */
  operable: Operable;
  /** What `/readyz` says. */
  ready(): boolean;
  /** Whether new WebSockets are taken: not once natter is closing. */
  open(): boolean;
}

/** The settings the handler reads, resolved. */
export interface HandlerOptions extends UpgradeGateOptions {
  /** The checked mount prefix, `""` for the root. */
  prefix: string;
  /** How a request becomes a WebSocket. */
  upgrade: Upgrade;
  /** Seconds a WebSocket may stay silent before it is pinged and dropped. */
  idleTimeout: number;
  /** The bearer token `/metrics` needs. */
  metricsToken?: string;
  /** The server API's token; without it `/api/` is 404. */
  adminToken?: string;
}

/**
 * The room a local path names: `/ws` and `/` are the default room,
 * `/ws/{room}` and `/r/{room}` name one (R2, R3); `null` when the path is
 * not one of `prefix`'s, `undefined` when its room name is invalid.
 */
function roomOf(
  path: string,
  bare: string,
  prefix: string,
): string | null | undefined {
  if (path === bare) return DEFAULT_ROOM;
  if (!path.startsWith(prefix)) return null;
  const room = path.slice(prefix.length);
  return isRoomName(room) ? room : undefined;
}

/**
 * The handler of one natter: every request below `options.prefix`.
 *
 * @example
 * ```ts
 * import { Connections } from "./connections.ts";
 * import { createMetrics } from "../ops/metrics.ts";
 * import { Rooms } from "../room/rooms.ts";
 * import { MemoryStore } from "../store/memory.ts";
 *
 * const rooms = new Rooms(new MemoryStore());
 * const connections = new Connections(rooms);
 * const metrics = createMetrics({
 *   connections: () => connections.size,
 *   rooms: () => rooms.size,
 * });
 * const operable = {
 *   rooms,
 *   connections: connections.byId,
 *   maxMessageSize: 512,
 *   historyPage: 100,
 * };
 * const handler = createHandler(
 *   { rooms, connections, metrics, operable, ready: () => true, open: () => true },
 *   { prefix: "/chat", upgrade: Deno.upgradeWebSocket, idleTimeout: 60 },
 * );
 * Deno.serve(handler);
 * ```
 */
export function createHandler(
  parts: HandlerParts,
  options: HandlerOptions,
): Handler {
  const { connections, operable } = parts;
  const { prefix, upgrade, idleTimeout } = options;
  const gate = new UpgradeGate(parts.rooms, options);
  const page = pageAt(prefix);
  const ops = {
    ready: parts.ready,
    metrics: parts.metrics,
    metricsToken: options.metricsToken,
    api: options.adminToken === undefined
      ? undefined
      : { ...operable, token: options.adminToken },
  };
  return async (request, info) => {
    const url = new URL(request.url);
    const path = localPath(url.pathname, prefix);
    if (path === undefined) return text(404, "Not Found");
    // The prefix alone: its page is one slash further, where its room
    // links resolve as they should.
    if (path === "") {
      return new Response(null, {
        status: 308,
        headers: { location: `${prefix}/${url.search}` },
      });
    }
    const local = prefix === "" ? url : withPath(url, path);
    const answer = serveOps(request, local, ops);
    if (answer) return await answer;
    if (roomOf(path, "/", "/r/")) return page(request);
    const room = roomOf(path, "/ws", "/ws/");
    if (!room) return text(404, "Not Found");
    if (!parts.open()) {
      return text(503, "Service Unavailable: natter is shutting down");
    }
    const checked = await gate.check(request, {
      url: local,
      room,
      ip: info.remoteAddr.hostname,
    });
    if (checked instanceof Response) return checked;
    // Until the upgrade, the pass holds the upgrade's slots; if the upgrade
    // throws, they are given back here.
    using pass = checked;
    const { socket, response } = upgrade(request, {
      idleTimeout,
      protocol: pass.protocol,
    });
    pass.upgraded(socket);
    connections.open(socket, { room: pass.room, identity: pass.identity });
    return response;
  };
}

/** `url` with `path` in place of its path, as the routes below see it. */
function withPath(url: URL, path: string): URL {
  const local = new URL(url);
  local.pathname = path;
  return local;
}
