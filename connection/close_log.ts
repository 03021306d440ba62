/**
 * How a close the peer started is logged: not at all when it was a normal
 * leaving (I5, D5), with the peer's code and reason otherwise, or as a
 * failed connection when Deno reported an error that was not a mere drop.
 *
 * @module
 */

import type { CloseReason } from "../util/close_reasons.ts";
import type { Log } from "../util/log.ts";

/** Leaving, going away, no status, or a dropped connection: not errors (I5). */
const NORMAL_CLOSE = new Set([0, 1000, 1001, 1005, 1006]);
/** Error messages of a connection that merely went away. */
const DROPPED = /EOF|os error|reset|broken pipe/i;

/**
 * Logs the close `event` of a connection, given the message of the error
 * Deno reported before it, if any.
 *
 * @example
 * ```ts
 * const close = new CloseEvent("close", { code: 4000, reason: "bye" });
 * logClose(console.log, close, ""); // client closed with 4000 "bye"
 * ```
 */
export function logClose(log: Log, event: CloseEvent, error: string): void {
  if (!NORMAL_CLOSE.has(event.code)) {
    // The peer's words: quoted as JSON, so that no newline of theirs can
    // start a log line of its own.
    const reason = event.reason ? ` ${JSON.stringify(event.reason)}` : "";
    log(`client closed with ${event.code}${reason}`, {
      event: "client_close",
      code: event.code,
      reason: event.reason,
    });
  } else if (error && !DROPPED.test(error)) {
    log(
      `client connection failed: ${JSON.stringify(error)}`,
      { event: "client_error", reason: error },
      "warning",
    );
  }
}

/**
 * Logs the eviction of a connection that natter closed after handing over
 * what was queued, with what Deno still holds for the peer: it cannot be
 * dropped, only stopped from growing (O3).
 *
 * @example
 * ```ts
 * logEviction(console.log, { code: 1008, reason: "send queue full" }, 4096);
 * ```
 */
export function logEviction(
  log: Log,
  close: CloseReason,
  unsent: number,
): void {
  log(
    `client evicted: ${close.reason} (${unsent} bytes unsent)`,
    { event: "evicted", code: close.code, reason: close.reason, unsent },
    "warning",
  );
}
