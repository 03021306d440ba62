/**
 * Keeps a client from hammering a server that said `rate_limited` (or
 * `unavailable`). The budget that was refused pauses, for longer after each
 * refusal with no grant between; then it goes on one command at a time,
 * until enough in a row are granted to set it free. So commands that wait
 * for a spent budget meet it with a refusal per pause, not one per command,
 * and the server's patience with refused commands is never used up.
 *
 * @module
 */

import { backoffDelay, type BackoffOptions } from "./backoff.ts";
import type { Budget } from "./pending_command.ts";

/** The first pause after a refusal: about what a budget takes to refill. */
export const FIRST_PAUSE_MS = 250;
/** The longest pause. */
export const LONGEST_PAUSE_MS = 10_000;
/** A budget granted this many commands in a row is free again. */
const FREE_AFTER = 16;

/** A budget held back after a refusal. */
interface Limit {
  /** When its pause ends (ms since the Unix epoch); 0 when not paused. */
  until: number;
  /** Refusals with no grant between. */
  strikes: number;
  /** Grants since the last refusal. */
  granted: number;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Pauses per budget, and one command at a time after them.
 *
 * @example
 * ```ts
 * const throttle = new Throttle(() => console.log("go on"));
 * throttle.sent("read");
 * throttle.refused("read");
 * throttle.admits("read"); // false for 125 to 250 ms, then one at a time
 * throttle.admits("send"); // true
 * throttle.close();
 * ```
 */
export class Throttle {
  readonly #wake: () => void;
  readonly #random: () => number;
  readonly #pauses: Required<BackoffOptions>;
  readonly #inFlight = new Map<Budget, number>();
  readonly #limits = new Map<Budget, Limit>();

  /**
   * A throttle that calls `wake` whenever more may be sent. Its pauses grow
   * as `backoff` says, but start no later than {@linkcode FIRST_PAUSE_MS}
   * and grow no longer than {@linkcode LONGEST_PAUSE_MS}.
   */
  constructor(
    wake: () => void,
    backoff: BackoffOptions = {},
    random: () => number = Math.random,
  ) {
    this.#wake = wake;
    this.#random = random;
    const max = Math.min(LONGEST_PAUSE_MS, backoff.max ?? LONGEST_PAUSE_MS);
    const initial = Math.min(FIRST_PAUSE_MS, backoff.initial ?? FIRST_PAUSE_MS);
    this.#pauses = { initial: Math.min(initial, max), max };
  }

  /** Whether one more command of `budget` may be sent now. */
  admits(budget: Budget): boolean {
    const limit = this.#limits.get(budget);
    if (!limit) return true;
    const inFlight = this.#inFlight.get(budget) ?? 0;
    return Date.now() >= limit.until && inFlight === 0;
  }

  /** A command of `budget` was sent. */
  sent(budget: Budget): void {
    this.#inFlight.set(budget, (this.#inFlight.get(budget) ?? 0) + 1);
  }

  /** A command of `budget` was answered, or refused for another reason. */
  granted(budget: Budget): void {
    this.#landed(budget);
    const limit = this.#limits.get(budget);
    if (!limit) return;
    limit.strikes = 0;
    if (++limit.granted >= FREE_AFTER && limit.until <= Date.now()) {
      clearTimeout(limit.timer);
      this.#limits.delete(budget);
    }
    this.#wake();
  }

  /** A command of `budget` was refused: pause it, longer than before. */
  refused(budget: Budget): void {
    this.#landed(budget);
    let limit = this.#limits.get(budget);
    if (!limit) {
      limit = { until: 0, strikes: 0, granted: 0 };
      this.#limits.set(budget, limit);
    }
    limit.granted = 0;
    // Commands sent before the pause began are refused in a row: one
    // refusal of them says all, and is not taken again.
    if (Date.now() < limit.until) return;
    const wait = backoffDelay(limit.strikes++, this.#pauses, this.#random);
    limit.until = Date.now() + wait;
    clearTimeout(limit.timer);
    const paused = limit;
    limit.timer = setTimeout(() => {
      // A timer may fire a little early: the pause ends with it.
      paused.until = 0;
      this.#wake();
    }, wait);
  }

  /** The socket dropped: nothing is in flight. */
  dropped(): void {
    this.#inFlight.clear();
  }

  /** Stops every timer. */
  close(): void {
    for (const limit of this.#limits.values()) clearTimeout(limit.timer);
    this.#limits.clear();
  }

  #landed(budget: Budget): void {
    const inFlight = this.#inFlight.get(budget) ?? 0;
    this.#inFlight.set(budget, Math.max(0, inFlight - 1));
  }
}
