/**
 * How a server stops: it tells every client to close (a drained one, a batch
 * at a time over its window), waits for them, then stops listening, and
 * gives up on the stragglers at a deadline, so that a shutdown always ends.
 *
 * @module
 */

import type { Listener } from "./listen/listen.ts";
import type { Connections } from "./connections.ts";
import type { Rooms } from "../room/rooms.ts";
import { type CloseReason, GOING_AWAY } from "../util/close_reasons.ts";
import { pause } from "../util/turns.ts";
import { type Closable, closeInBatches } from "./drain_batches.ts";

/** What a shutdown stops, in the order it stops them. */
export interface Stoppable {
  /** The rooms, whose Hubs tell their clients to close. */
  rooms: Pick<Rooms, "close">;
  /**
   * The open connections: told to close in batches when there is a window,
   * and waited for until they have closed.
   */
  connections:
    & Pick<Connections, "closed">
    & { readonly byId: ReadonlyMap<string, Closable> };
  /**
   * The listener, stopped last: it leaves WebSockets alone. None for a
   * natter mounted in another server, whose listener is that server's.
   */
  listener?: Pick<Listener, "shutdown">;
}

/** Options for {@linkcode shutDown}. */
export interface ShutdownOptions {
  /**
   * Milliseconds the shutdown waits, once every client has been told to
   * close, before it gives up on the stragglers.
   */
  timeout: number;
  /**
   * The close every client is sent.
   * @default {1001 "server shutting down"}
   */
  reason?: CloseReason;
  /**
   * Milliseconds over which the clients are closed, a batch at a time,
   * before the rooms close (see `drain_batches.ts`): a drained natter's
   * `drainWindow`. The deadline then runs from the last batch, so the
   * shutdown may take `window + timeout`. 0 closes them all at once.
   * @default {0}
   */
  window?: number;
}

/**
 * Closes every client with `options.reason` (over `options.window` when one
 * is given), waits for their connections to end, and stops the listener if
 * there is one, giving up `options.timeout` after the last client was told.
 *
 * @returns `true` if everything ended in time.
 * @example
 * ```ts
 * import { Connections } from "./connections.ts";
 * import { listen } from "./listen/listen.ts";
 * import { Rooms } from "../room/rooms.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * import { SERVICE_RESTART } from "../util/close_reasons.ts";
 *
 * const rooms = new Rooms(new MemoryStore());
 * const connections = new Connections(rooms);
 * const listener = listen({ port: 0 }, () => new Response("hi"));
 * const clean = await shutDown({ rooms, connections, listener }, {
 *   timeout: 5000,
 *   reason: SERVICE_RESTART,
 * });
 * if (!clean) console.log("some connections did not close in time");
 * ```
 */
export async function shutDown(
  parts: Stoppable,
  options: ShutdownOptions,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    // The Hubs tell every open client a batch did not tell to close (with
    // natter's 1001 unless given another reason); the listener's shutdown
    // leaves WebSockets alone, so this waits until they have closed (or the
    // deadline has passed). Clients close on the next turn of the event loop
    // (see client.ts): the closes scheduled before shutdown, such as an
    // eviction's, happen first, and those sockets are not waited for: a
    // stalled one never finishes closing. (An evicted client whose socket
    // may still drain has not closed yet: it is waited for like the others.)
    await pause(0);
    const closed = parts.connections.closed();
    // A drained natter's clients go a batch at a time, while their rooms
    // still serve the others, so that they do not all reconnect elsewhere
    // in the same instant. The batches end within the window. An evicted
    // client still draining its socket is closed with them.
    const window = options.window ?? 0;
    if (window > 0) {
      const clients = [...parts.connections.byId.values()];
      const reason = options.reason ?? GOING_AWAY;
      await closeInBatches(clients, { reason, window });
    }
    // Every client has been told now: each has the timeout to finish.
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), options.timeout);
    });
    await parts.rooms.close(options.reason);
    const inTime = await Promise.race([closed.then(() => true), deadline]);
    const ended = parts.listener?.shutdown().then(() => true) ?? true;
    return await Promise.race([ended, deadline]) && inTime;
  } finally {
    clearTimeout(timer);
  }
}
