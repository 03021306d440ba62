/**
 * The `join` a room sends: the first one with what the application asked
 * for, and every rejoin after a drop with the nick the server gave and the
 * position the application reached, so that it recovers what it missed.
 *
 * @module
 */

import type { ErrorCode } from "./errors.ts";
import type { Position } from "./frames.ts";
import { PendingCommand } from "./pending_command.ts";

/**
 * Refusals after which a rejoin is tried again later: the room is still
 * the application's, it only cannot be entered now.
 */
const REJOIN_PASSING: readonly ErrorCode[] = [
  "rate_limited",
  "unavailable",
  "room_full",
  "too_many_rooms",
];

/** What a join is made of. */
export interface JoinParts {
  /** The room. */
  readonly room: string;
  /** The nick to ask for, if any. */
  readonly nick?: string;
  /** Where to continue from, if anywhere. */
  readonly since?: Position;
  /** Whether it is the room's first join (refusals end it at once). */
  readonly first: boolean;
}

/**
 * The pending `join` for `parts`.
 *
 * @example
 * ```ts
 * const join = joinRequest({ room: "lobby", nick: "ada", first: true });
 * join.command; // { type: "join", room: "lobby", nick: "ada" }
 * ```
 */
export function joinRequest(parts: JoinParts): PendingCommand {
  const { room, nick, since, first } = parts;
  return new PendingCommand({
    type: "join",
    room,
    ...nick !== undefined && { nick },
    ...since !== undefined && { since },
  }, first ? undefined : REJOIN_PASSING);
}
