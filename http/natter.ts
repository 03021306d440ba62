/**
 * One natter, without a listener: its rooms, its connections, its metrics,
 * the request handler that serves them under a prefix, the server API's
 * operations as functions, and a close that always ends. `serve` runs it on
 * natter's own listener; `mod.ts` offers it to mount in another server.
 *
 * @module
 */

import { Connections } from "./connections.ts";
import { createHandler } from "./handler.ts";
import type { NatterApp, NatterOptions } from "./natter_options.ts";
import { checkPrefix } from "./prefix.ts";
import { shutDown } from "./shutdown.ts";
import { createMetrics } from "../ops/metrics.ts";
import {
  listRooms,
  type Operable,
  publish,
  readHistory,
  removeMember,
} from "../ops/operations.ts";
import { DEFAULT_ROOM } from "../protocol/names.ts";
import { Rooms } from "../room/rooms.ts";
import { MemoryStore } from "../store/memory.ts";
import type { CloseReason } from "../util/close_reasons.ts";
import { withDefaults } from "../settings/with_defaults.ts";

export type { NatterApp, NatterOptions } from "./natter_options.ts";

/**
 * Creates a natter to serve from any server's request handler.
 *
 * @throws {TypeError} when `options.prefix` is not a valid prefix.
 * @example
 * ```ts
 * const natter = createNatter({ prefix: "/chat" });
 * Deno.serve(natter.fetch); // the page at /chat/, WebSockets at /chat/ws
 * ```
 */
export function createNatter(given: NatterOptions = {}): NatterApp {
  return assemble(given);
}

/**
 * {@linkcode createNatter}, with the rooms too: for natter's own server,
 * tools and tests, which reach into the Hubs; a host app does not.
 *
 * @example
 * ```ts
 * const natter = assemble({});
 * natter.rooms.size; // 0
 * ```
 */
export function assemble(
  given: NatterOptions = {},
): NatterApp & { readonly rooms: Rooms } {
  const prefix = checkPrefix(given.prefix);
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
  const operable: Operable = {
    rooms,
    connections: connections.byId,
    maxMessageSize: options.maxMessageSize,
    historyPage: options.historyPage,
  };
  let draining = false;
  let stopping: Promise<boolean> | undefined;
  // Not ready while draining for a restart, or while the store (Redis)
  // cannot serve.
  const ready = () => !draining && (rooms.store.ready?.() ?? true);
  const fetch = createHandler(
    {
      rooms,
      connections,
      metrics,
      operable,
      ready,
      open: () => stopping === undefined,
    },
    {
      ...options,
      prefix,
      upgrade: given.upgrade ?? Deno.upgradeWebSocket,
    },
  );
  const close = (reason?: CloseReason) => {
    // Only a natter drained beforehand, for a rolling restart, spreads its
    // closes over the window: a plain close or SIGINT closes all at once.
    const window = draining ? options.drainWindow : 0;
    draining = true;
    stopping ??= shutDown(
      { rooms, connections },
      { timeout: options.shutdownTimeout, reason, window },
    );
    return stopping;
  };
  return {
    fetch,
    publish: (room, text, options) => publish(operable, room, text, options),
    listRooms: () => Promise.resolve(listRooms(operable)),
    history: (room, options) => readHistory(operable, room, options),
    removeMember: (room, client, options) =>
      Promise.resolve().then(() =>
        removeMember(operable, room, client, options)
      ),
    rooms,
    members: (room = DEFAULT_ROOM) => rooms.find(room)?.size ?? 0,
    get ready() {
      return ready();
    },
    drain: () => {
      draining = true;
    },
    close,
    async [Symbol.asyncDispose]() {
      await close();
    },
  };
}
