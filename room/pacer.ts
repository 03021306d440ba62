/**
 * The Pacer: how long a room waits between turns. A frame costs about the
 * same however many messages it holds, so a turn costs the room's members
 * times the cost of a frame, whatever the rate of messages. A room whose
 * turns are cheap never waits: a message goes out at once. A room whose
 * turns are dear spaces them so that its fan-out takes at most a share of
 * the core, and the messages that arrive meanwhile go out together, in
 * fuller frames, for the cost of one turn. The wait never lets a message
 * wait longer than the latency budget, its turn included.
 *
 * The wait runs from when the last turn began to send, so a message that
 * comes after a quiet spell still goes out at once; and it grows to the
 * most the budget allows while the event loop is late (the process is
 * saturated, and every turn saved is CPU for the next). It never lets more
 * messages gather than half a batch, at the rate the last turns came in:
 * a member's queue holds a batch, and a turn that brought more would evict
 * members that keep up.
 *
 * @module
 */

import { type FrameCost, FRAMES } from "../util/frame_cost.ts";
import { pause } from "../util/turns.ts";

/** The share of a core one room's fan-out may take when its turns are dear. */
export const SHARE = 1 / 3;

/** How late the event loop must run, in ms, for the room to wait the most. */
const LATE = 4;

/** Waits shorter than this, in ms, are not worth a timer. */
const LEAST = 0.5;

/** Options for {@linkcode Pacer}. */
export interface PacerOptions {
  /** A turn expected to cost at most this many ms never waits; 0 turns pacing off. */
  readonly budget: number;
  /** The longest, in ms, pacing may hold a message, its turn included; 0 turns pacing off. */
  readonly latency: number;
  /** The most messages a turn may bring: the wait gathers half of it. */
  readonly maxBatch: number;
  /** Where frames are counted and costed. */
  readonly frames?: FrameCost;
}

/**
 * Paces one room's turns by what they cost.
 *
 * @example
 * ```ts
 * const pacer = new Pacer({ budget: 2, latency: 40, maxBatch: 256 });
 * pacer.sending(3); // the turn's first offer, of 3 messages
 * await pacer.rest(); // waits when the turn's frames were dear
 * ```
 */
export class Pacer {
  readonly #budget: number;
  readonly #latency: number;
  readonly #frames: FrameCost;
  readonly #gather: number;
  /** The frames sent before the current turn began to offer. */
  #framesBefore?: number;
  /** When the last (or current) turn began to offer. */
  #last = -Infinity;
  /** The most ms the next wait may gather messages for, at their rate. */
  #most = Infinity;
  /** How late the event loop ran the last wait, in ms. */
  #late = 0;

  /** Creates a pacer. */
  constructor(options: PacerOptions) {
    this.#budget = options.budget;
    this.#latency = options.latency;
    this.#frames = options.frames ?? FRAMES;
    this.#gather = options.maxBatch / 2;
  }

  /**
   * Marks the turn's first offer, of `messages`. The writers it wakes run
   * as microtasks before the turn's promise settles, so the frames counted
   * from here to {@linkcode Pacer.rest} are the turn's.
   */
  sending(messages: number, now = performance.now()): void {
    this.#framesBefore = this.#frames.frames;
    // The messages came in since the last turn began: at that rate, half a
    // batch gathers in this long.
    this.#most = messages > 0
      ? this.#gather * (now - this.#last) / messages
      : Infinity;
    this.#last = now;
  }

  /** How long to wait after a turn, in ms, from what it sent. */
  wait(now = performance.now()): number {
    const before = this.#framesBefore;
    if (before === undefined || this.#budget <= 0 || this.#latency <= 0) {
      return 0;
    }
    const frames = this.#frames.frames - before;
    const cost = frames * this.#frames.perFrame;
    if (cost <= this.#budget) return 0;
    const most = Math.max(0, Math.min(this.#latency - cost, this.#most));
    const spacing = this.#late >= LATE ? most : Math.min(most, cost / SHARE);
    return this.#last + spacing - now;
  }

  /** After a turn: waits as {@linkcode Pacer.wait} says, if at all. */
  async rest(): Promise<void> {
    const wait = this.wait();
    this.#framesBefore = undefined;
    if (wait < LEAST) return;
    const asked = performance.now() + wait;
    await pause(wait);
    this.#late = Math.max(0, performance.now() - asked);
  }
}
