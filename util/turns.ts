/**
 * Waiting for the event loop: for its next turn, or for a while.
 *
 * @module
 */

import { setImmediate } from "node:timers";

/**
 * Resolves once the event loop has turned: after the I/O that was ready,
 * including the writes of what the sockets were handed, with no timer
 * clamping.
 *
 * @example
 * ```ts
 * await nextTurn(); // the sockets' ready events have run meanwhile
 * ```
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Resolves after `ms` milliseconds.
 *
 * @example
 * ```ts
 * await pause(5);
 * ```
 */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
