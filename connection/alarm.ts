/**
 * An Alarm: calls back at a moment that may be weeks away, such as when a
 * connection's token expires. `setTimeout` waits at most 2^31 - 1 ms (24.8
 * days); the alarm looks again then.
 *
 * @module
 */

/** The longest `setTimeout` waits, in ms. */
const LONGEST = 2 ** 31 - 1;

/**
 * Calls `ring` once, at `at` (ms since the Unix epoch), or on the next turn
 * if that has passed; until {@linkcode Alarm.stop}.
 *
 * @example
 * ```ts
 * const alarm = new Alarm(Date.now() + 60_000, () => console.log("expired"));
 * alarm.stop();
 * ```
 */
export class Alarm {
  readonly #at: number;
  readonly #ring: () => void;
  #timer?: ReturnType<typeof setTimeout>;

  /** Sets an alarm for `at`. */
  constructor(at: number, ring: () => void) {
    this.#at = at;
    this.#ring = ring;
    this.#set();
  }

  /** Stops the alarm; it will not ring. */
  stop(): void {
    clearTimeout(this.#timer);
  }

  #set(): void {
    const wait = this.#at - Date.now();
    if (wait > LONGEST) {
      this.#timer = setTimeout(() => this.#set(), LONGEST);
    } else {
      this.#timer = setTimeout(this.#ring, Math.max(0, wait));
    }
  }
}
