/**
 * The Pacer: how a loaded room waits between turns. Sends cost per frame,
 * whatever the frame holds: a room whose turns grow expensive waits before
 * the next, so that the next frames carry more messages for the same cost.
 * Below its budget a room never waits.
 *
 * @module
 */

import { pause } from "../util/turns.ts";

/** The longest a loaded room waits between turns to fill its frames, ms. */
const MAX_PACE = 10;

/**
 * Paces one room's turns by what their sends cost.
 *
 * @example
 * ```ts
 * const pacer = new Pacer(2);
 * pacer.sending(); // the turn's first offer
 * await pacer.rest(); // waits as long as the sends took, if over 2 ms
 * ```
 */
export class Pacer {
  readonly #budget: number;
  /** When the current turn began to offer. */
  #from?: number;

  /** Creates a pacer with a budget of `budget` ms per turn; 0 is off. */
  constructor(budget: number) {
    this.#budget = budget;
  }

  /**
   * Marks the turn's first offer. The writers it wakes run as microtasks
   * before the turn's promise settles, so what follows is the cost of its
   * sends, not of the store's round trips before them.
   */
  sending(): void {
    this.#from = performance.now();
  }

  /** After a turn: waits as long as its sends took, if over the budget. */
  async rest(): Promise<void> {
    const from = this.#from;
    this.#from = undefined;
    if (from === undefined || this.#budget <= 0) return;
    const cost = performance.now() - from;
    if (cost > this.#budget) await pause(Math.min(cost, MAX_PACE));
  }
}
