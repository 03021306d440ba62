/**
 * How a room is joined, and what it tells the application: its options,
 * and the events it dispatches (messages, presence, recovery after a
 * reconnect, and its loss).
 *
 * @module
 */

import type { NatterError } from "./errors.ts";
import type { Member, Message, Position } from "./frames.ts";

/** Options for joining a room. */
export interface JoinOptions {
  /** The nick to be known by; the server makes one up when there is none. */
  nick?: string;
  /**
   * Where the application left the room before, to receive what it missed
   * (the join's `since`); the room then tells whether it could.
   */
  since?: Position;
  /**
   * The most messages that wait unread for `for await`; past it the oldest
   * are dropped (every one is still dispatched as a `message` event).
   * @default {1000}
   */
  buffer?: number;
}

/** What changed in a room's membership. */
export interface Presence {
  /** Who came; empty in a room too large for lists. */
  readonly joined: readonly Member[];
  /** Who went; empty in a room too large for lists. */
  readonly left: readonly Member[];
  /** How many members the room has now. */
  readonly count: number;
}

/** How a rejoin after a reconnect went. */
export interface Recovery {
  /** Whether every message missed while away followed; if not, a gap. */
  readonly recovered: boolean;
  /** The room's history stream now; a new one when it started over. */
  readonly epoch: string;
}

/** The events a {@linkcode Room} dispatches. */
export interface RoomEventMap {
  /** A message, each once, in the room's order. */
  message: CustomEvent<Message>;
  /** Members came or went. */
  presence: CustomEvent<Presence>;
  /** The room was joined again after a reconnect. */
  recovery: CustomEvent<Recovery>;
  /** The room was lost: the server refused to have the client back. */
  error: CustomEvent<NatterError>;
}
