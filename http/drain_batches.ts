/**
 * Closing a drained server's clients a batch at a time over a window, so
 * that they reconnect to the other nodes at a rate those can take, rather
 * than all in the same instant.
 *
 * @module
 */

import type { Client } from "../client.ts";
import type { CloseReason } from "../util/close_reasons.ts";
import { pause } from "../util/turns.ts";

/** A connection closed in a batch: its Client, or a stand-in in tests. */
export type Closable = Pick<Client, "kick" | "closing">;

/** Options for {@linkcode closeInBatches}. */
export interface BatchOptions {
  /** The close every client is sent. */
  reason: CloseReason;
  /**
   * Milliseconds by whose end every client has been told to close; 0 tells
   * them all at once.
   */
  window: number;
}

/** Milliseconds between two batches. */
export const BATCH_STEP = 100;

/**
 * The fewest clients closed in one batch: a handful of clients are closed
 * together, not trickled one by one over the window.
 */
export const MIN_BATCH = 25;

/**
 * Tells `clients` to close with `options.reason`, a batch every
 * {@linkcode BATCH_STEP} ms, the batches as small as they can be (but not
 * under {@linkcode MIN_BATCH}) for the last to go out before the window ends.
 * The first batch goes out at once, before the first `await`. A client
 * already closing is left as it is, and each is told once.
 *
 * @returns a promise that settles once the last batch has gone out: within
 * the window, and with no timer left behind.
 * @example
 * ```ts
 * import { SERVICE_RESTART } from "../util/close_reasons.ts";
 *
 * declare const clients: Closable[]; // 10,000 of them
 * // 200 every 100 ms: all are told by 4.9 s.
 * await closeInBatches(clients, { reason: SERVICE_RESTART, window: 5000 });
 * ```
 */
export async function closeInBatches(
  clients: readonly Closable[],
  options: BatchOptions,
): Promise<void> {
  const { reason, window } = options;
  const size = window > 0
    ? Math.max(Math.ceil(clients.length * BATCH_STEP / window), MIN_BATCH)
    : clients.length;
  const start = performance.now();
  // Each batch is timed from the start, so that slow batches do not push
  // the last one past the window.
  for (let i = 0, at = 0; i < clients.length; i += size, at += BATCH_STEP) {
    const wait = start + at - performance.now();
    if (wait > 0) await pause(wait);
    for (const client of clients.slice(i, i + size)) tell(client, reason);
  }
}

/** Tells one client to close, unless it is closing already. */
function tell(client: Closable, reason: CloseReason): void {
  if (client.closing) return;
  try {
    client.kick(reason);
  } catch {
    // One connection's fault must not spare the others their close: the
    // rooms' close and the shutdown's deadline still end this one.
  }
}
