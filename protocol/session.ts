/**
 * A natter.v1 Session: the command side of one structured connection
 * (PROTOCOL.md S2-S4, C1-C6). It joins and leaves rooms over the one socket,
 * each room through a {@linkcode Membership} that the room's Hub sees as a
 * subscriber, and answers every command with a reply or an `error`.
 *
 * @module
 */

import type { CloseReason, Hub, Inbound, Subscriber } from "../hub.ts";
import { exceedsUtf8, normalize } from "../message.ts";
import type { Rooms } from "../rooms.ts";
import type { Member } from "../store/store.ts";
import { type Command, parseCommand } from "./commands.ts";
import {
  type CommandId,
  type ErrorCode,
  errorEvent,
  historyEvent,
  leftEvent,
} from "./events.ts";
import type { Batch } from "../batch.ts";

/** What a Session needs of its connection's Client. */
export interface SessionClient extends Subscriber {
  /** Queues events for this connection alone. */
  reply(...events: string[]): void;
  /** Hands a message to a room's Hub, in the order the client sent it. */
  forward(hub: Hub, inbound: Inbound): void;
}

/** Options for {@linkcode Session}. */
export interface SessionOptions {
  /**
   * The largest `send` text in UTF-8 bytes (K2); a longer one is refused
   * with `too_big` and the connection stays open.
   * @default {512}
   */
  maxMessageSize?: number;
  /**
   * The largest command frame in UTF-8 bytes; a larger one is refused with
   * `too_big` unread.
   * @default {4096}
   */
  maxCommandSize?: number;
  /**
   * How many rooms one connection may be in at once; a join beyond is
   * refused with `too_many_rooms`.
   * @default {32}
   */
  maxRoomsPerClient?: number;
  /**
   * The most messages one `history` reply holds (C5), and how many it holds
   * when the command names no limit.
   * @default {100}
   */
  historyPage?: number;
}

/**
 * The subscriber a room's Hub sees for one room of a Session. After `leave`
 * it takes nothing more, so nothing of the room follows the `left` reply.
 */
class Membership implements Subscriber {
  left = false;
  readonly hub: Hub;
  readonly member: Member;
  readonly #session: Session;

  constructor(session: Session, hub: Hub, member: Member) {
    this.#session = session;
    this.hub = hub;
    this.member = member;
  }

  offer(batch: Batch): boolean {
    return this.left || this.#session.client.offer(batch);
  }

  release(close?: CloseReason): void {
    this.#session.forget(this);
    if (close) this.#session.client.release(close);
  }
}

/**
 * One structured connection's commands and rooms.
 *
 * @example
 * ```ts
 * const session = new Session("c1", rooms, { client });
 * session.read('{"type":"join","room":"lobby","nick":"ada","id":1}');
 * ```
 */
export class Session {
  /** The connection this Session answers through. */
  readonly client: SessionClient;
  readonly #id: string;
  readonly #rooms: Rooms;
  readonly #memberships = new Map<string, Membership>();
  readonly #nick: string;
  readonly #maxMessageSize: number;
  readonly #maxCommandSize: number;
  readonly #maxRooms: number;
  readonly #historyPage: number;

  /** Creates the Session of connection `id`, answering through `client`. */
  constructor(
    id: string,
    rooms: Rooms,
    options: SessionOptions & { client: SessionClient },
  ) {
    this.#id = id;
    this.#rooms = rooms;
    this.client = options.client;
    this.#maxMessageSize = options.maxMessageSize ?? 512;
    this.#maxCommandSize = options.maxCommandSize ?? 4096;
    this.#maxRooms = options.maxRoomsPerClient ?? 32;
    this.#historyPage = options.historyPage ?? 100;
    // A connection that names no nick is given one (C1).
    this.#nick = `guest-${1000 + Math.floor(Math.random() * 9000)}`;
  }

  /** Answers one text frame from the client. */
  read(text: string): void {
    if (exceedsUtf8(text, this.#maxCommandSize)) {
      const limit = this.#maxCommandSize;
      return this.#error(
        undefined,
        "too_big",
        `A command is ${limit} bytes at most`,
      );
    }
    const parsed = parseCommand(text);
    if (!parsed.ok) {
      const { id, code, message } = parsed.error;
      return this.#error(id, code, message);
    }
    this.#run(parsed.command);
  }

  /** Leaves every room, for a connection that has closed (C4). */
  leaveAll(): void {
    for (const membership of this.#memberships.values()) {
      this.#unregister(membership);
    }
    this.#memberships.clear();
  }

  /** Forgets a room whose Hub let the membership go. */
  forget(membership: Membership): void {
    const room = membership.hub.room;
    if (this.#memberships.get(room) === membership) {
      this.#memberships.delete(room);
    }
  }

  #run(command: Command): void {
    const { id, room } = command;
    if (command.type === "join") {
      if (this.#memberships.has(room)) {
        return this.#error(id, "already_joined", `Already in room "${room}"`);
      }
      if (this.#memberships.size >= this.#maxRooms) {
        const most = this.#maxRooms;
        return this.#error(
          id,
          "too_many_rooms",
          `A connection is in ${most} rooms at most`,
        );
      }
      const hub = this.#rooms.get(room);
      if (!hub) {
        return this.#error(
          id,
          "too_many_rooms",
          "The server holds its most rooms",
        );
      }
      const member = { client: this.#id, nick: command.nick ?? this.#nick };
      const membership = new Membership(this, hub, member);
      this.#memberships.set(room, membership);
      const join = {
        subscriber: membership,
        member,
        reply: { id, since: command.since },
      };
      if (!hub.register.trySend(join)) {
        hub.register.send(join).catch(() => {});
      }
      return;
    }
    const membership = this.#memberships.get(room);
    if (!membership) {
      return this.#error(id, "not_joined", `Not in room "${room}"`);
    }
    switch (command.type) {
      case "send":
        return this.#send(membership, id, command.text);
      case "leave":
        this.#memberships.delete(room);
        this.#unregister(membership);
        return this.client.reply(leftEvent(id, room));
      case "history": {
        const limit = Math.min(
          command.limit ?? this.#historyPage,
          this.#historyPage,
        );
        this.#rooms.store.before(room, command.before, limit).then(
          (messages) => this.client.reply(historyEvent(id, room, messages)),
          () => this.#error(id, "unavailable", "History is unavailable now"),
        );
      }
    }
  }

  #send(membership: Membership, id: CommandId, text: string): void {
    if (exceedsUtf8(text, this.#maxMessageSize)) {
      const limit = this.#maxMessageSize;
      return this.#error(id, "too_big", `A message is ${limit} bytes at most`);
    }
    this.client.forward(membership.hub, {
      text: normalize(text),
      from: membership.member,
      sender: membership,
      ack: { id },
    });
  }

  #unregister(membership: Membership): void {
    membership.left = true;
    const unregister = membership.hub.unregister;
    if (!unregister.trySend(membership)) {
      unregister.send(membership).catch(() => {});
    }
  }

  #error(id: CommandId, code: ErrorCode, message: string): void {
    this.client.reply(errorEvent(id, code, message));
  }
}
