/**
 * The Meter: what the Hubs and Clients report as they work, a few plain
 * functions each as cheap as a counter add. The operations layer backs it
 * with Prometheus metrics (ops/metrics.ts); the core never loads them.
 *
 * @module
 */

/** What natter's parts report; every method is cheap. */
export interface Meter {
  /** `count` messages arrived from clients (or the API). */
  received(count: number): void;
  /** `count` messages were handed to members' queues. */
  delivered(count: number): void;
  /** A connection was closed by natter; `reason` as its close reason. */
  evicted(reason: string): void;
  /** A message waited `seconds` from its arrival to its fan-out. */
  fannedOut(seconds: number): void;
  /** natter failed in handling one connection, and closed it with 1011. */
  internalError(): void;
}

/** A meter that records nothing. */
export const NO_METER: Meter = {
  received() {},
  delivered() {},
  evicted() {},
  fannedOut() {},
  internalError() {},
};
