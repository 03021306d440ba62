/**
 * natter.v1 on the wire, as this client speaks it: the commands it sends and
 * the events it reads. Only the fields the client uses are typed; a server
 * may send more, and they are ignored.
 *
 * @module
 */

/** The WebSocket subprotocol of natter.v1. */
export const SUBPROTOCOL = "natter.v1";

/** A place in a room's history: an offset in one epoch (the stream's id). */
export interface Position {
  /** The stream the offset belongs to; opaque. */
  readonly epoch: string;
  /** The offset of a message, 0 before the first. */
  readonly offset: number;
}

/** Who sent a message, or who is in a room. */
export interface Member {
  /** The id of the connection, stable while it lives. */
  readonly client: string;
  /** Its nick in the room; `null` for a plain-mode (gorilla) client. */
  readonly nick: string | null;
  /** The subject of the token it connected with, if it had one. */
  readonly user?: string;
}

/** A message of a room, as the server numbered and stamped it. */
export interface Message {
  /** The room it was posted in. */
  readonly room: string;
  /** Its place in the room's history: 1 for the first message, then +1. */
  readonly offset: number;
  /** Who sent it. */
  readonly from: Member;
  /** The text, as the server normalised it. */
  readonly text: string;
  /** When the server stored it, in milliseconds since the Unix epoch. */
  readonly ts: number;
}

/** The commands this client sends; `id` ties each to its answer. */
export type Command =
  | { type: "join"; room: string; nick?: string; since?: Position }
  | { type: "send"; room: string; text: string; key: string }
  | { type: "leave"; room: string }
  | { type: "history"; room: string; before: number; limit?: number }
  | { type: "members"; room: string; after?: string; limit?: number };

/** The reply to `join`. */
export interface JoinedEvent {
  readonly type: "joined";
  readonly id: number | string | undefined;
  readonly room: string;
  readonly nick: string | null;
  readonly client: string | undefined;
  readonly epoch: string;
  readonly offset: number;
  readonly recovered: boolean;
  readonly history: readonly Message[];
  readonly presence: readonly Member[];
  readonly count: number;
}

/** The reply to `send`. */
export interface AckEvent {
  readonly type: "ack";
  readonly id: number | string | undefined;
  readonly room: string;
  readonly offset: number;
}

/** The reply to `leave`. */
export interface LeftEvent {
  readonly type: "left";
  readonly id: number | string | undefined;
  readonly room: string;
}

/** The reply to `history`. */
export interface HistoryEvent {
  readonly type: "history";
  readonly id: number | string | undefined;
  readonly room: string;
  readonly messages: readonly Message[];
}

/** The reply to `members`: one page of the room's members. */
export interface MembersEvent {
  readonly type: "members";
  readonly id: number | string | undefined;
  readonly room: string;
  readonly members: readonly Member[];
  readonly count: number;
  /** The client id to read on from, or `null` at the end of the list. */
  readonly next: string | null;
}

/** A message arriving in a room. */
export interface MessageEvent extends Message {
  readonly type: "message";
}

/**
 * Who came and went in a room, and how many are there now. Both lists are
 * empty when the room is too large for lists: only `count` says anything.
 */
export interface PresenceEvent {
  readonly type: "presence";
  readonly room: string;
  readonly joined: readonly Member[];
  readonly left: readonly Member[];
  readonly count: number;
}

/** A refusal; `code` as the server sent it (checked later). */
export interface ErrorEvent {
  readonly type: "error";
  readonly id: number | string | undefined;
  readonly code: string;
  readonly message: string;
}

/** Every event this client reads. */
export type ServerEvent =
  | JoinedEvent
  | AckEvent
  | LeftEvent
  | HistoryEvent
  | MembersEvent
  | MessageEvent
  | PresenceEvent
  | ErrorEvent;
