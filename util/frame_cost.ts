/**
 * What one WebSocket frame costs this process: the CPU time it spent per
 * frame sent, over the last stretch of traffic. A frame costs about the
 * same whether it holds one message or fifty, so a room that knows what its
 * turn will cost (members × this) can wait and send fuller frames instead.
 *
 * The figure is the process's CPU time (every thread: Deno writes frames
 * off the JavaScript thread) over the frames sent meanwhile, so it also
 * carries what the process did besides sending: reading, parsing, garbage
 * collection. That errs on the side of fuller frames. With several workers
 * in one process each worker sees the CPU of all of them over its own
 * frames, and paces more than it needs to; the latency budget still bounds
 * the wait.
 *
 * @module
 */

import process from "node:process";

/** What a frame is taken to cost before any traffic was measured, in ms. */
export const FIRST_GUESS = 0.012;

/** The shortest stretch measured, in ms. */
const STRETCH = 200;

/** The fewest frames a stretch must hold to say what a frame costs. */
const ENOUGH = 200;

/** The range a measured cost is kept in, in ms: noise stays inside it. */
const CHEAPEST = 0.001, DEAREST = 0.2;

/** The process's CPU time so far, user and system, in microseconds. */
function cpuTime(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/**
 * Counts the frames sent and says what each costs.
 *
 * @example
 * ```ts
 * const cost = new FrameCost();
 * cost.sent();
 * cost.perFrame; // ms of CPU per frame: the first guess until measured
 * ```
 */
export class FrameCost {
  readonly #cpu: () => number;
  readonly #now: () => number;
  #frames = 0;
  #cost = FIRST_GUESS;
  #from: { at: number; frames: number; cpu: number };

  /**
   * Creates a meter; `cpu` (µs) and `now` (ms) are seams for tests.
   */
  constructor(
    cpu: () => number = cpuTime,
    now: () => number = performance.now.bind(performance),
  ) {
    this.#cpu = cpu;
    this.#now = now;
    this.#from = { at: now(), frames: 0, cpu: cpu() };
  }

  /** Counts one frame handed to a socket. */
  sent(): void {
    this.#frames++;
  }

  /** How many frames were sent so far. */
  get frames(): number {
    return this.#frames;
  }

  /**
   * CPU milliseconds per frame over the last stretch that sent enough
   * frames to tell; the last such figure otherwise.
   */
  get perFrame(): number {
    const now = this.#now();
    const from = this.#from;
    if (now - from.at < STRETCH) return this.#cost;
    const frames = this.#frames - from.frames;
    const cpu = this.#cpu();
    if (frames >= ENOUGH) {
      const cost = (cpu - from.cpu) / 1000 / frames;
      this.#cost = Math.min(DEAREST, Math.max(CHEAPEST, cost));
    }
    this.#from = { at: now, frames: this.#frames, cpu };
    return this.#cost;
  }
}

/** This process's (this worker's) frames. */
export const FRAMES: FrameCost = new FrameCost();
