/**
 * A Membership: what a room's Hub sees of one natter.v1 connection in one
 * room, and where the room's outcomes become natter.v1 replies: `joined`
 * (C1, C2), `error` for a refused join, `ack` for a stored message (C3) or
 * for the repeat of one (C7), `left` (C4). A connection in several rooms
 * has one Membership in each.
 *
 * @module
 */

import type { Hub } from "../hub.ts";
import type { Batch } from "../room/batch.ts";
import type { Drafted, DraftRefusal } from "../room/draft.ts";
import type { Speaker } from "../room/intake.ts";
import type {
  Receipt,
  Refusal,
  Release,
  Subscriber,
  Welcome,
} from "../room/subscriber.ts";
import type { Member } from "../store/store.ts";
import type { CloseReason } from "../util/close_reasons.ts";
import { closeFor } from "../connection/closes.ts";
import {
  ackEvent,
  type CommandId,
  errorEvent,
  joinedEvent,
  leftEvent,
} from "./events.ts";

/** What a Membership needs of the connection it belongs to. */
export interface MembershipOwner {
  /** Queues a batch for the connection; `false` when its queue is full. */
  offer(batch: Batch): boolean;
  /** Closes the connection with `close` after what is queued. */
  release(close: CloseReason): void;
  /** Queues events for the connection alone. */
  reply(...events: string[]): void;
  /** Forgets a membership the Hub let go or turned away. */
  forget(membership: Membership): void;
}

/** What a join turned away is told, by why. */
const REFUSALS: Record<Refusal, string> = {
  room_full: "is full",
  unavailable: "is unavailable",
};

/**
 * The subscriber a room's Hub sees for one room of a connection. A `leave`
 * is answered when the Hub lets the membership go: after everything the Hub
 * owed it (a `joined` or an `ack` of the same burst, the turn's messages),
 * so nothing of the room follows the `left` reply.
 *
 * @example
 * ```ts
 * declare const owner: MembershipOwner;
 * import type { Hub } from "../hub.ts";
 * declare const hub: Hub;
 *
 * const membership = new Membership(owner, hub, {
 *   member: { client: "c1", nick: "ada" },
 *   joinId: 1,
 * });
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
  readonly #joinId: CommandId;

  /**
   * Creates the membership of `owner`'s connection in `hub`'s room, for the
   * `join` whose id was `joinId`.
   */
  constructor(
    owner: MembershipOwner,
    hub: Hub,
    options: { member: Member; joinId: CommandId },
  ) {
    this.#owner = owner;
    this.hub = hub;
    this.member = options.member;
    this.#joinId = options.joinId;
  }

  /** Queues `batch` for the connection, unless it has closed. */
  offer(batch: Batch): boolean {
    return this.closed || this.#owner.offer(batch);
  }

  /** Answers the join with `joined` (C1, C2). */
  welcome(welcome: Welcome): void {
    if (this.closed) return;
    const { position, member } = welcome;
    this.#owner.reply(joinedEvent({
      id: this.#joinId,
      room: welcome.room,
      nick: member.nick ?? "",
      client: member.client,
      epoch: position.epoch,
      offset: position.offset,
      recovered: welcome.recovered,
      history: welcome.history,
      presence: welcome.presence.members,
      count: welcome.count,
    }));
  }

  /** Answers the join with an `error`: the room turned it away. */
  refused(refusal: Refusal): void {
    this.#owner.forget(this);
    if (this.closed) return;
    const text = `Room "${this.hub.room}" ${REFUSALS[refusal]}`;
    this.#owner.reply(errorEvent(this.#joinId, refusal, text));
  }

  /** Called by the Hub as it lets the membership go. */
  release(release: Release): void {
    this.#owner.forget(this);
    const close = closeFor(release);
    if (close) return this.#owner.release(close);
    this.answerLeave();
  }

  /**
   * Hands the `send` whose id and key (C7) were `send`'s to the room,
   * through its intake as `speaker`'s, once drafted; it is acknowledged
   * once stored, or found a repeat of its key (C3).
   *
   * @returns why the draft was refused, if it was.
   */
  send(
    speaker: Speaker,
    send: { readonly id: CommandId; readonly key?: string },
    drafted: Drafted,
  ): DraftRefusal | undefined {
    if ("refused" in drafted) return drafted.refused;
    this.hub.intake.offer(speaker, {
      text: drafted.text,
      from: this.member,
      key: send.key,
      sender: this,
      receipt: this.receipt(send.id),
      at: performance.now(),
    });
  }

  /**
   * The receipt of a `send` whose id was `id`: an `ack` with the message's
   * offset (C3), or an `error` if the store lost it.
   */
  receipt(id: CommandId): Receipt {
    return {
      stored: (offset) => {
        if (!this.closed) {
          this.#owner.reply(ackEvent(id, this.hub.room, offset));
        }
      },
      lost: () => {
        if (this.closed) return;
        const text =
          "The message store is unavailable; the message was not sent";
        this.#owner.reply(errorEvent(id, "unavailable", text));
      },
    };
  }

  /** Answers the `leave`, if one came and was not answered yet. */
  answerLeave(): void {
    const leaving = this.leaving;
    if (!leaving || this.closed) return;
    this.leaving = undefined;
    this.#owner.reply(leftEvent(leaving.id, this.hub.room));
  }
}
