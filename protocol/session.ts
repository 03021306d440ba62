/**
 * A natter.v1 Session: the command side of one structured connection
 * (docs/protocol.md S2-S4, C1-C6, C8). It joins and leaves rooms over the one
 * socket, each room through a {@linkcode Membership} that the room's Hub
 * sees as a subscriber, and answers every command with a reply or an
 * `error`.
 *
 * Every command that makes the server work is within a budget of the
 * connection's own: joins and leaves, `history` and `members`, and the
 * rooms it creates, each a token bucket, refused with `rate_limited`
 * beyond it. Refusals have a budget too: a connection that keeps sending
 * what is refused (over its budgets, or malformed) is closed with 1008.
 *
 * @module
 */

import type { Identity } from "../auth/token.ts";
import type { Link, Session as ConnectionSession } from "../connection/link.ts";
import { draft, type DraftLimits } from "../room/draft.ts";
import type { Speaker } from "../room/intake.ts";
import type { Rooms } from "../room/rooms.ts";
import type { TokenBucket } from "../util/bucket.ts";
import {
  type CloseReason,
  FRAME_TOO_BIG,
  TOO_MANY_REFUSED,
} from "../util/close_reasons.ts";
import { Budgets } from "./budgets.ts";
import {
  type Command,
  type JoinCommand,
  parseCommand,
  type SendCommand,
} from "./commands.ts";
import { type CommandId, type ErrorCode, errorEvent } from "./events.ts";
import { joinRefusal, tooFast } from "./join_refusal.ts";
import { readHistory, readMembers } from "./reads.ts";
import { Membership, type MembershipOwner } from "./membership.ts";
import type { SessionOptions } from "./session_options.ts";
import { withDefaults } from "../settings/with_defaults.ts";

export type { SessionOptions } from "./session_options.ts";

/**
 * How many times the command limit a frame may be and still be answered
 * with `too_big`; a larger one closes the connection with 1009.
 */
const FAR_TOO_BIG = 16;

/**
 * One structured connection's commands and rooms.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "../store/memory.ts";
 * import { Rooms } from "../room/rooms.ts";
 * import type { Link } from "../connection/link.ts";
 * declare const link: Link;
 *
 * const session = new Session(link, new Rooms(new MemoryStore()));
 * session.read('{"type":"join","room":"lobby","nick":"ada","id":1}');
 * ```
 */
export class Session implements ConnectionSession, Speaker {
  /** The connection this Session answers through. */
  readonly #link: Link;
  readonly #rooms: Rooms;
  readonly #memberships = new Map<string, Membership>();
  readonly #nick: string;
  readonly #maxMessageSize: number;
  readonly #maxCommandSize: number;
  readonly #maxRooms: number;
  readonly #historyPage: number;
  readonly #memberPage: number;
  readonly #identity?: Identity;
  readonly #budgets: Budgets;
  /** What each `send` is drafted against: size and the connection's rate. */
  readonly #limits: DraftLimits;
  /** What the Hubs see of this connection. */
  readonly #owner: MembershipOwner;
  #refused = false;

  /**
   * Creates the Session of the connection behind `link`, with who it is
   * and its rate of messages in `connection`.
   */
  constructor(
    link: Link,
    rooms: Rooms,
    options: SessionOptions = {},
    connection: { identity?: Identity; rate?: TokenBucket } = {},
  ) {
    this.#link = link;
    this.#rooms = rooms;
    const o = withDefaults(options);
    this.#maxMessageSize = o.maxMessageSize;
    this.#limits = { maxBytes: o.maxMessageSize, rate: connection.rate };
    this.#maxCommandSize = o.maxCommandSize;
    this.#maxRooms = o.maxRoomsPerClient;
    this.#historyPage = o.historyPage;
    this.#memberPage = o.memberPage;
    this.#identity = connection.identity;
    this.#budgets = new Budgets({
      joinRate: o.joinRate,
      historyRate: o.historyRate,
      createRate: o.createRate,
      maxRooms: this.#maxRooms,
    });
    this.#owner = {
      offer: (batch) => link.offer(batch),
      release: (close) => link.release(close),
      reply: (...events) => link.reply(...events),
      forget: (membership) => this.#forget(membership),
    };
    // A connection that names no nick is given one (C1).
    this.#nick = `guest-${1000 + Math.floor(Math.random() * 9000)}`;
  }

  /** Nothing to do: a natter.v1 connection joins rooms by command. */
  open(): void {}

  /** Answers one text frame from the client. */
  read(text: string): void {
    if (this.#refused) return;
    // Far past any command: not a natter.v1 client. Deno has read it whole
    // already; at least it gets no chance to send another.
    if (text.length > FAR_TOO_BIG * this.#maxCommandSize) {
      this.#refused = true;
      return this.#link.refuse(FRAME_TOO_BIG);
    }
    const parsed = parseCommand(text, { maxBytes: this.#maxCommandSize });
    if (!parsed.ok) {
      const { id, code, message } = parsed.error;
      return this.#error(id, code, message);
    }
    this.#run(parsed.command);
  }

  /** Leaves every room, for a connection that has closed (C4). */
  leave(): void {
    for (const membership of this.#memberships.values()) {
      membership.closed = true;
      this.#unregister(membership);
    }
    this.#memberships.clear();
    this.#link.release();
  }

  /** The room's intake refused what the connection sent. */
  refuse(close: CloseReason): void {
    this.#link.refuse(close);
  }

  /** The rooms this connection is in or joining. */
  rooms(): string[] {
    return [...this.#memberships.keys()];
  }

  /** Forgets a room whose Hub let the membership go. */
  #forget(membership: Membership): void {
    const room = membership.hub.room;
    if (this.#memberships.get(room) === membership) {
      this.#memberships.delete(room);
    }
  }

  #run(command: Command): void {
    const { id, room } = command;
    if (command.type === "join") return this.#join(command);
    // A command out of range is refused as such, joined or not (S4).
    if (command.type === "members" && (command.limit ?? 0) > this.#memberPage) {
      return this.#error(
        id,
        "bad_request",
        `"limit" must be from 1 to ${this.#memberPage}`,
      );
    }
    const membership = this.#memberships.get(room);
    if (!membership) {
      return this.#error(id, "not_joined", `Not in room "${room}"`);
    }
    switch (command.type) {
      case "send":
        return this.#send(membership, command);
      case "leave":
        if (!this.#budgets.spend("joins")) {
          return this.#tooFast(id, "joins and leaves");
        }
        this.#memberships.delete(room);
        membership.leaving = { id };
        return this.#unregister(membership);
      case "history": {
        if (!this.#budgets.spend("reads")) {
          return this.#tooFast(id, "history reads");
        }
        const limit = Math.min(
          command.limit ?? this.#historyPage,
          this.#historyPage,
        );
        const read = { id, room, before: command.before, limit };
        return readHistory(this.#link, this.#rooms.store, read, this.#failed);
      }
      case "members": {
        const limit = command.limit ?? this.#memberPage;
        if (!this.#budgets.spend("reads")) {
          return this.#tooFast(id, "member reads");
        }
        const read = { id, after: command.after, limit };
        readMembers(this.#link, membership.hub, read, this.#failed);
      }
    }
  }

  #join(command: JoinCommand): void {
    const { id, room } = command;
    const refusal = joinRefusal(
      {
        rooms: this.#memberships,
        identity: this.#identity,
        maxRooms: this.#maxRooms,
        budgets: this.#budgets,
      },
      room,
      { creates: !this.#rooms.find(room) },
    );
    if (refusal) return this.#error(id, refusal.code, refusal.message);
    const hub = this.#rooms.get(room);
    if (!hub) {
      return this.#error(
        id,
        "too_many_rooms",
        "The server holds its most rooms",
      );
    }
    // A token's name is the nick, whatever the join says.
    const identity = this.#identity;
    const nick = identity?.nick ?? command.nick ?? this.#nick;
    const member = identity
      ? { client: this.#link.id, nick, user: identity.user }
      : { client: this.#link.id, nick };
    const membership = new Membership(this.#owner, hub, { member, joinId: id });
    this.#memberships.set(room, membership);
    const join = {
      subscriber: membership,
      member,
      welcome: { since: command.since },
    };
    // A Hub that closed meanwhile released everyone.
    hub.register.put(join)?.catch(() => {});
  }

  #send(membership: Membership, send: SendCommand): void {
    const refused = membership.send(this, send, draft(send.text, this.#limits));
    if (refused === "too_big") {
      const most = this.#maxMessageSize;
      this.#error(send.id, "too_big", `A message is ${most} bytes at most`);
    } else if (refused) {
      const text = "Sending too fast; the message was not sent";
      this.#error(send.id, "rate_limited", text);
    }
  }

  #unregister(membership: Membership): void {
    // A Hub that has closed let every member go already: answer now.
    membership.hub.unregister.put(membership)?.catch(() =>
      membership.answerLeave()
    );
  }

  readonly #failed = (id: CommandId, code: ErrorCode, text: string) =>
    this.#error(id, code, text);

  #tooFast(id: CommandId, what: string): void {
    const { code, message } = tooFast(what);
    this.#error(id, code, message);
  }

  /**
   * Answers a command with an `error`, within the connection's budget of
   * refusals: past it, the connection is closed instead.
   */
  #error(id: CommandId, code: ErrorCode, message: string): void {
    if (this.#refused) return;
    if (!this.#budgets.refuse()) {
      this.#refused = true;
      return this.#link.refuse(TOO_MANY_REFUSED);
    }
    this.#link.reply(errorEvent(id, code, message));
  }
}
