/**
 * Jittered exponential backoff: how long to wait before trying again, so
 * that many clients that lost the same server do not all come back at once,
 * and a client that keeps failing does not keep knocking.
 *
 * @module
 */

/** How the wait grows. */
export interface BackoffOptions {
  /**
   * The ceiling of the first wait, in milliseconds.
   * @default {500}
   */
  initial?: number;
  /**
   * The highest the ceiling grows to, in milliseconds.
   * @default {30000}
   */
  max?: number;
}

/** The first ceiling when none is given. */
export const INITIAL_DELAY_MS = 500;
/** The highest ceiling when none is given. */
export const MAX_DELAY_MS = 30_000;

/**
 * How long to wait before try `attempt` (0 for the first retry): a random
 * time between half the ceiling and the ceiling, which doubles with each
 * attempt from `initial` up to `max`. Half is always waited, so that a
 * server that just came back is not met by every client at once.
 *
 * @example
 * ```ts
 * backoffDelay(0, {}, () => 0.5); // 375: between 250 and 500
 * backoffDelay(10, { initial: 100, max: 1000 }, () => 1); // 1000
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = positive(options.initial, INITIAL_DELAY_MS);
  const max = Math.max(initial, positive(options.max, MAX_DELAY_MS));
  // 2 ** attempt overflows to Infinity, never to NaN, so min() still holds.
  const ceiling = Math.min(max, initial * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

function positive(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `Cannot back off: "${value}" is not a number of milliseconds`,
    );
  }
  return value;
}
