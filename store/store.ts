/**
 * The store seam: where a room's history, offsets, epoch and presence live.
 *
 * A room's Hub owns the room's order, but the store decides each message's
 * offset: the Hub appends a turn's messages in one call and fans out what
 * the store feeds back, in offset order. The in-memory store feeds a Hub
 * its own appends at once; a store shared by several processes (Redis)
 * feeds every node's Hub the same sequence, so delivery order is offset order
 * everywhere (R6, I4 per room).
 *
 * @module
 */

/** A room member as the protocol shows it (E2): plain members have no nick. */
export interface Member {
  /** The opaque id of the member's connection, stable for its lifetime. */
  readonly client: string;
  /** The member's nick in this room; `null` for a plain-mode member. */
  readonly nick: string | null;
  /** The `sub` of the member's token, when tokens are on. */
  readonly user?: string;
}

/** A message on its way into a room, before the store gives it an offset. */
export interface Draft {
  /** The normalised text (I1). */
  readonly text: string;
  /** Who sent it. */
  readonly from: Member;
  /**
   * The sender's idempotency key (C7), checked by `send_key.ts`: while the
   * room's history holds a message sent with the same key in the same scope
   * (the sender's `user`, or none), this draft is a repeat of it, and is
   * neither stored nor fed. A stored message does not keep its key.
   */
  readonly key?: string;
}

/** A message of a room's history: a draft with its place and time. */
export interface StoredMessage extends Omit<Draft, "key"> {
  /** The room it belongs to. */
  readonly room: string;
  /** 1 for the room's first message, then +1 per message (R6). */
  readonly offset: number;
  /** The server's time when it was appended, in ms since the Unix epoch. */
  readonly ts: number;
  /**
   * The message's `message` event as JSON, once somebody serialised it, so
   * that it is serialised once however many members and replays need it.
   */
  json?: string;
}

/** Where a room's history stream stands. */
export interface Position {
  /** Changes whenever the stream's continuity is lost (R6). */
  readonly epoch: string;
  /** The room's latest offset; 0 when it has no messages. */
  readonly offset: number;
}

/** What a (re)joining member is replayed (C1, C2). */
export interface Replay {
  /** Whether `messages` is exactly what came after the member's position. */
  readonly recovered: boolean;
  /** Oldest first. */
  readonly messages: readonly StoredMessage[];
}

/** What {@linkcode Store.append} made of a turn's drafts. */
export interface Appended {
  /**
   * The messages it stored, in offset order: every draft that was not a
   * repeat (C7). They are what the feed was given.
   */
  readonly messages: StoredMessage[];
  /**
   * Each draft's offset, in the drafts' order: where it was stored, or, for
   * a repeat, where the message first sent with its key is.
   */
  readonly offsets: number[];
}

/** What a store feeds a room's Hub: messages in offset order. */
export type Feed = (messages: readonly StoredMessage[]) => void;

/**
 * What a store shared by several nodes or workers tells a room's Hub
 * besides its messages. A store that nothing else uses never calls them.
 */
export interface RoomEvents {
  /**
   * Members joined or left on another node or worker, or were found gone
   * with their node (presence expiry): the Hub tells its members (E2).
   */
  presence?(joined: readonly Member[], left: readonly Member[]): void;
  /**
   * The room's stream lost its continuity for this process (a new epoch, or
   * messages that can no longer be fed): the Hub's members cannot continue
   * from what they have seen, and what is fed next follows `position`.
   */
  reset?(position: Position): void;
}

/**
 * A room store. Every method may be answered from another process, so each
 * returns a promise, and rejects rather than throws; none is called per
 * recipient, and a turn's messages go in with one {@linkcode Store.append}.
 *
 * A room is open in a store between its {@linkcode Store.open} and its
 * {@linkcode Store.close}. Reads answer for any room (one never created is
 * empty); writes to a room the store has not opened reject with
 * {@linkcode roomNotOpen}, even where another store sharing the data
 * (another node, another worker) has it open. `store/conformance.ts` holds
 * what every store must do alike.
 */
export interface Store {
  /**
   * Opens a room for a Hub of this process: creates it when it is new, and
   * from now on feeds `feed` every message appended to it, in offset order,
   * and `events` what changed elsewhere.
   */
  open(room: string, feed: Feed, events?: RoomEvents): Promise<Position>;
  /**
   * Gives `drafts` the room's next offsets, in order, and adds them to its
   * history in one step; the feed gets them before the promise settles. A
   * draft whose key (in its scope) belongs to a message still in the
   * history, or to an earlier draft of the same call, is a repeat (C7): it
   * takes no offset and is not fed, and its offset in the result is the
   * first message's. The check is part of the same atomic step.
   */
  append(room: string, drafts: readonly Draft[]): Promise<Appended>;
  /**
   * The history a member joining now is replayed: with `since`, exactly the
   * messages after it when the epoch matches and none of them has been
   * dropped (`recovered`); otherwise the most recent `limit`. Only messages
   * up to offset `upTo` are considered: those after it reach the member
   * live.
   */
  replay(
    room: string,
    upTo: number,
    options: { since?: Position; limit: number },
  ): Promise<Replay>;
  /** Up to `limit` messages with offsets below `before`, oldest first (C5). */
  before(
    room: string,
    before: number,
    limit: number,
  ): Promise<StoredMessage[]>;
  /**
   * Records a turn's presence changes for the room (E2): the leaves first,
   * then the joins, so a member in both is present. A member is known by
   * its `client`: joining again replaces it.
   */
  updatePresence(
    room: string,
    joined: readonly Member[],
    left: readonly Member[],
  ): Promise<void>;
  /** The room's members now, wherever they are connected. */
  presence(room: string): Promise<Member[]>;
  /**
   * This process no longer serves the room (no members, history expired):
   * stop feeding it, and forget it once nothing serves it (at once when no
   * other node or worker has it open; in Redis, after the history's time
   * to live), so that a room created again gets a new epoch.
   */
  close(room: string): Promise<void>;
  /**
   * Whether the store can serve now (for `/readyz`); a store that cannot
   * fail leaves it out.
   */
  ready?(): boolean;
}

/**
 * The error a store rejects a write with when the room is not open in it.
 *
 * @example
 * ```ts
 * const rejected = Promise.reject(roomNotOpen("lobby"));
 * await rejected.catch((error: RangeError) => console.log(error.message));
 * ```
 */
export function roomNotOpen(room: string): RangeError {
  return new RangeError(`Cannot write to room "${room}": not open`);
}
