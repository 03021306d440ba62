/**
 * A seeded pseudo-random source for the fuzzer, so that a run's choices can
 * be replayed from the seed it printed.
 *
 * @module
 */

/** Draws from one seeded stream (mulberry32: small, fast, 32-bit state). */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** A whole number in [0, `n`). */
  int(n: number): number;
  /** A whole number in [`min`, `max`]. */
  between(min: number, max: number): number;
  /** `true` with probability `p`. */
  chance(p: number): boolean;
  /** One element of `items`, which must not be empty. */
  pick<T>(items: readonly T[]): T;
  /** `length` characters of `alphabet`. */
  chars(length: number, alphabet?: string): string;
}

const BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * A {@linkcode Random} seeded with `seed` (any 32-bit whole number).
 *
 * @example
 * ```ts
 * const random = seeded(42);
 * random.pick(["lobby", "a", "b"]); // the same room on every run with 42
 * ```
 */
export function seeded(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (p) => next() < p,
    pick: (items) => items[int(items.length)],
    chars: (length, alphabet = BASE36) => {
      let out = "";
      for (let i = 0; i < length; i++) out += alphabet[int(alphabet.length)];
      return out;
    },
  };
}

/** A fresh seed for a run that was given none. */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}
