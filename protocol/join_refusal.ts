/**
 * Why a natter.v1 `join` is refused before it reaches the room (C1, C6):
 * the connection is in the room already, its token does not allow the room,
 * it is in its most rooms, or it is over its budget of joins or of rooms it
 * may create. The checks run in that order, and a budget is spent only by a
 * join that passed every check before it.
 *
 * @module
 */

import { type Identity, mayJoin } from "../auth/token.ts";
import type { Budgets } from "./budgets.ts";
import type { ErrorCode } from "./events.ts";

/** An `error` to answer a command with, instead of doing it. */
export interface Refusal {
  readonly code: ErrorCode;
  readonly message: string;
}

/** What a join is checked against: the connection, as it is now. */
export interface Joiner {
  /** The rooms the connection is in or joining. */
  readonly rooms: ReadonlyMap<string, unknown>;
  /** Who its token says it is, if it has one. */
  readonly identity?: Identity;
  /** The most rooms it may be in. */
  readonly maxRooms: number;
  /** Its budgets; a join spends from them. */
  readonly budgets: Budgets;
}

/**
 * The `rate_limited` refusal of a command over a budget of `what`.
 *
 * @example
 * ```ts
 * tooFast("history reads").message; // "Too many history reads; try again shortly"
 * ```
 */
export function tooFast(what: string): Refusal {
  return {
    code: "rate_limited",
    message: `Too many ${what}; try again shortly`,
  };
}

/**
 * Why `joiner` may not join `room` now, if it may not; `creates` says
 * whether the join would create the room.
 *
 * @example
 * ```ts
 * import { Budgets } from "./budgets.ts";
 *
 * const joiner = { rooms: new Map(), maxRooms: 32, budgets: new Budgets() };
 * joinRefusal(joiner, "lobby", { creates: false }); // undefined: it may
 * ```
 */
export function joinRefusal(
  joiner: Joiner,
  room: string,
  options: { creates: boolean },
): Refusal | undefined {
  if (joiner.rooms.has(room)) {
    return { code: "already_joined", message: `Already in room "${room}"` };
  }
  if (!mayJoin(joiner.identity, room)) {
    return {
      code: "forbidden",
      message: `The token does not allow room "${room}"`,
    };
  }
  if (joiner.rooms.size >= joiner.maxRooms) {
    return {
      code: "too_many_rooms",
      message: `A connection is in ${joiner.maxRooms} rooms at most`,
    };
  }
  if (!joiner.budgets.spend("joins")) return tooFast("joins and leaves");
  if (options.creates && !joiner.budgets.spend("creates")) {
    return tooFast("new rooms");
  }
}
