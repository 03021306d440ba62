/**
 * A Membership: what a room's Hub sees of one natter.v1 connection in one
 * room. A connection in several rooms has one Membership in each.
 *
 * @module
 */

import type { Batch } from "../room/batch.ts";
import type { CloseReason, Hub, Subscriber } from "../hub.ts";
import type { Member } from "../store/store.ts";
import { type CommandId, leftEvent } from "./events.ts";

/** What a Membership needs of the connection it belongs to. */
export interface MembershipOwner {
  /** Queues a batch for the connection; `false` when its queue is full. */
  offer(batch: Batch): boolean;
  /** Closes the connection with `close` after what is queued. */
  release(close: CloseReason): void;
  /** Queues events for the connection alone. */
  reply(...events: string[]): void;
  /** Forgets a membership the Hub let go. */
  forget(membership: Membership): void;
}

/**
 * The subscriber a room's Hub sees for one room of a connection. A `leave`
 * is answered when the Hub lets the membership go: after everything the Hub
 * owed it (a `joined` or an `ack` of the same burst, the turn's messages),
 * so nothing of the room follows the `left` reply.
 *
 * @example
 * ```ts
 * const membership = new Membership(owner, hub, { client: "c1", nick: "ada" });
 * membership.leaving = { id: 7 }; // answered with `left` once the Hub lets go
 * ```
 */
export class Membership implements Subscriber {
  /** Set once the connection has closed: nothing more is taken. */
  closed = false;
  /** The id of the `leave` to answer once the Hub lets go, if one came. */
  leaving?: { id: CommandId };
  /** The room's Hub. */
  readonly hub: Hub;
  /** Who the connection is in this room. */
  readonly member: Member;
  readonly #owner: MembershipOwner;

  /** Creates the membership of `owner`'s connection in `hub`'s room. */
  constructor(owner: MembershipOwner, hub: Hub, member: Member) {
    this.#owner = owner;
    this.hub = hub;
    this.member = member;
  }

  /** Queues `batch` for the connection, unless it has closed. */
  offer(batch: Batch): boolean {
    return this.closed || this.#owner.offer(batch);
  }

  /** Called by the Hub as it lets the membership go. */
  release(close?: CloseReason): void {
    this.#owner.forget(this);
    if (close) return this.#owner.release(close);
    this.answerLeave();
  }

  /** Answers the `leave`, if one came and was not answered yet. */
  answerLeave(): void {
    const leaving = this.leaving;
    if (!leaving || this.closed) return;
    this.leaving = undefined;
    this.#owner.reply(leftEvent(leaving.id, this.hub.room));
  }
}
