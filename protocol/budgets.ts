/**
 * A natter.v1 connection's budgets: how many commands of each costly kind
 * it may send a second, and how many refused ones, each a token bucket.
 *
 * @module
 */

import { TokenBucket } from "../util/bucket.ts";
import { DEFAULTS } from "../settings/settings.ts";

/** The kinds of command with a budget of their own. */
export type Spending = "joins" | "reads" | "creates";

/** Options for {@linkcode Budgets}: rates a second; 0 turns one off. */
export interface BudgetOptions {
  /**
   * Joins and leaves a second.
   * @default {10}
   */
  joinRate?: number;
  /**
   * `history` and `members` commands a second.
   * @default {10}
   */
  historyRate?: number;
  /**
   * Rooms created a second.
   * @default {1}
   */
  createRate?: number;
  /**
   * The rooms one connection may be in: joins and leaves come in bursts of
   * twice that, room creations in bursts of that.
   * @default {32}
   */
  maxRooms?: number;
}

/**
 * How many refused commands a connection may send in a burst, and then a
 * second, before it is given up on: room for a client that pipelines a few
 * commands too many, none for one that keeps pushing.
 */
export const REFUSALS = { rate: 10, burst: 100 } as const;

/**
 * One connection's budgets.
 *
 * @example
 * ```ts
 * const budgets = new Budgets({ joinRate: 10 });
 * if (!budgets.spend("joins")) console.log("rate_limited");
 * if (!budgets.refuse()) console.log("close with 1008");
 * ```
 */
export class Budgets {
  readonly #buckets: Record<Spending, TokenBucket | undefined>;
  readonly #refusals = new TokenBucket(REFUSALS.rate, REFUSALS.burst);

  /** Creates full budgets. */
  constructor(options: BudgetOptions = {}) {
    // Here `maxRooms` is the rooms one connection may be in.
    const rooms = options.maxRooms ?? DEFAULTS.maxRoomsPerClient;
    const reads = options.historyRate ?? DEFAULTS.historyRate;
    this.#buckets = {
      joins: bucket(options.joinRate ?? DEFAULTS.joinRate, 2 * rooms),
      reads: bucket(reads, 2 * reads),
      creates: bucket(options.createRate ?? DEFAULTS.createRate, rooms),
    };
  }

  /** Takes one command of `kind` from its budget; `false` when spent. */
  spend(kind: Spending): boolean {
    return this.#buckets[kind]?.take() ?? true;
  }

  /**
   * Counts one refused command; `false` once the connection has had too
   * many refused.
   */
  refuse(): boolean {
    return this.#refusals.take();
  }
}

/** A token bucket of `rate` a second, or none when the rate is 0. */
function bucket(rate: number, burst: number): TokenBucket | undefined {
  return rate > 0 ? new TokenBucket(rate, Math.max(1, burst, rate)) : undefined;
}
