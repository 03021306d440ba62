/**
 * What a room's Hub sees of its members, and what it tells them: a member
 * is a {@linkcode Subscriber}, and the Hub hands it typed outcomes (it was
 * welcomed, refused or released, and the batches fanned out) that each
 * protocol's session turns into closes, text frames or events. The Hub
 * itself knows no protocol.
 *
 * @module
 */

import type { Batch } from "./batch.ts";
import type { CloseReason } from "../util/close_reasons.ts";
import type { MemberPage } from "./member_list.ts";
import type { Draft, Member, Position, StoredMessage } from "../store/store.ts";

/** Why a join was turned away: the room is full, or its store failed. */
export type Refusal = "room_full" | "unavailable";

/**
 * Why the Hub let a member go: it asked to (`left`), it was evicted (its
 * queue was full, the room's history was reset, or its message was lost by
 * a failing store), or the room closed with the close its closer chose.
 */
export type Release =
  | { readonly kind: "left" }
  | {
    readonly kind: "evicted";
    readonly cause: "queue_full" | "history_reset" | "unavailable";
  }
  | { readonly kind: "closed"; readonly close: CloseReason };

/** A member asked to leave: the one {@linkcode Release} of that kind. */
export const LEFT: Release = { kind: "left" };
/** Evicted: its queue could not take what the room offered (A5). */
export const QUEUE_FULL: Release = { kind: "evicted", cause: "queue_full" };
/** Evicted: the room's history was reset under it (R6). */
export const HISTORY_RESET: Release = {
  kind: "evicted",
  cause: "history_reset",
};
/** Evicted: the store lost its message and it has no receipt to be told. */
export const LOST: Release = { kind: "evicted", cause: "unavailable" };

/**
 * What a member that asked to be welcomed learns once the room has admitted
 * it: where the room is, what it missed, and who is here (C1, C2).
 */
export interface Welcome {
  /** The room. */
  readonly room: string;
  /** Who joined, as presence shows it. */
  readonly member: Member;
  /** The room's position: what follows reaches the member live. */
  readonly position: Position;
  /** Whether `history` continues exactly from the position asked for. */
  readonly recovered: boolean;
  /** The messages replayed, oldest first. */
  readonly history: readonly StoredMessage[];
  /** The first page of the room's members. */
  readonly presence: MemberPage;
  /** How many members the room has, wherever they are connected. */
  readonly count: number;
}

/** What the Hub needs of a member, and what it tells it. */
export interface Subscriber {
  /**
   * Queues as many of `batch`'s items as fit, in order, without waiting;
   * `false` when some did not fit because the queue is full.
   */
  offer(batch: Batch): boolean;
  /**
   * Called once the room has admitted a join that asked to be welcomed,
   * before any of the room's messages that follow.
   */
  welcome?(welcome: Welcome): void;
  /** Called instead of admitting a join: the member is not in the room. */
  refused(refusal: Refusal): void;
  /**
   * Called exactly once when the Hub lets a member go, after what the room
   * owed it has been offered.
   */
  release(release: Release): void;
}

/** A request to join the room. */
export interface Join {
  /** Where the room's batches and outcomes go. */
  readonly subscriber: Subscriber;
  /** Who joins, as presence shows it. */
  readonly member: Member;
  /**
   * Set to be welcomed (C1): with the history since `since` when the room
   * still has it (C2), or its latest messages. Without it the member is
   * admitted silently, as a plain one is.
   */
  readonly welcome?: { readonly since?: Position };
}

/** What the sender of a message is told of it, once it has gone out. */
export interface Receipt {
  /**
   * The store took it at `offset`, and every member was offered it; or it
   * repeated a send key (C7), and `offset` is the first message's.
   */
  stored(offset: number): void;
  /** The store failed: the message was not sent. */
  lost(): void;
}

/** A message for the room, from one of its members or from the server. */
export interface Inbound extends Draft {
  /**
   * The member that sent it, if one did: a message is taken only from a
   * member. A message without one comes from the server itself (its API).
   */
  readonly sender?: Subscriber;
  /** When it arrived, as `performance.now()`, for the fan-out histogram. */
  readonly at?: number;
  /**
   * Told what became of the message, after the turn's fan-out. A member's
   * message that the store lost and that has no receipt costs the member its
   * place ({@linkcode LOST}): it cannot be told otherwise.
   */
  readonly receipt?: Receipt;
}
