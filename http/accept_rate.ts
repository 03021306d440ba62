/**
 * The accept rate (`--accept-rate`): how many WebSocket handshakes a server
 * lets through a second, all clients together. When a node restarts, or a
 * network blip drops many clients at once, they all come back within a few
 * seconds; each upgrade costs a token verification and a place in a room,
 * and a node that takes them all at once can be flattened by its own
 * clients. Over the rate, a handshake is answered 503 with `Retry-After`
 * before any of that work is done, so a refusal costs almost nothing.
 *
 * @module
 */

import { text } from "../ops/routes.ts";
import { TokenBucket } from "../util/bucket.ts";
import type { Log } from "../util/log.ts";

/** Options for {@linkcode acceptRate}. */
export interface AcceptRateOptions {
  /**
   * The clock, in milliseconds.
   * @default {Date.now}
   */
  now?: () => number;
  /** Where to say that handshakes are being refused: at most once a minute. */
  log?: Log;
}

/** How often, at most, the refusing line is logged: once a minute. */
const LOG_RATE = 1 / 60;

/**
 * A check of the accept rate: `rate` handshakes a second, in bursts of one
 * second's worth. The check it returns takes one handshake's place and
 * answers `undefined` when there is one, else the 503 to answer, whose
 * `Retry-After` is the whole seconds (at least 1) until there will be one.
 * A `rate` of 0 (or `Infinity`) lets every handshake through.
 *
 * @throws {RangeError} when `rate` is negative or not a number.
 * @example
 * ```ts
 * const overRate = acceptRate(100);
 * Deno.serve((request) => {
 *   const refusal = overRate();
 *   if (refusal) return refusal;
 *   const { response } = Deno.upgradeWebSocket(request);
 *   return response;
 * });
 * ```
 */
export function acceptRate(
  rate: number,
  options: AcceptRateOptions = {},
): () => Response | undefined {
  if (!(rate >= 0)) {
    throw new RangeError(
      `Cannot accept "${rate}" handshakes a second: not a number of 0 or more`,
    );
  }
  if (rate === 0 || rate === Infinity) return () => undefined;
  const { now = Date.now, log } = options;
  const bucket = new TokenBucket(rate, Math.max(1, rate), now);
  const logs = new TokenBucket(LOG_RATE, 1, now);
  return () => {
    if (bucket.take()) return undefined;
    if (log && logs.take()) {
      log(
        `over ${rate} handshakes a second (--accept-rate): refusing the ` +
          "excess with 503 (this line is logged at most once a minute)",
        { event: "accept_rate" },
        "warning",
      );
    }
    const seconds = Math.max(1, Math.ceil(bucket.untilNext() / 1000));
    return text(503, "Service Unavailable: too many new connections", {
      "retry-after": String(seconds),
    });
  };
}
