/**
 * A room the client is in, as the application sees it: what the join
 * brought (the backlog, the members), the messages since, each once and in
 * order across reconnects, and the commands about it (send, history,
 * members, leave). Keeping it joined across sockets is its link's part
 * (`room_link.ts`).
 *
 * @module
 */

import type { Member, Message, Position } from "./frames.ts";
import { randomKey } from "./key.ts";
import { MemberList } from "./member_list.ts";
import { MessageStream } from "./message_stream.ts";
import type { JoinOptions, RoomEventMap } from "./room_events.ts";
import { RoomLink } from "./room_link.ts";
import { TypedTarget } from "./typed_target.ts";
import type { Wire } from "./wire.ts";

/**
 * A joined room. Made by `NatterClient.join`.
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 *
 * const room = await (await connect("ws://localhost:8080/ws")).join("lobby");
 * room.addEventListener("recovery", (event) => {
 *   if (!event.detail.recovered) console.log("Some messages were missed");
 * });
 * for await (const m of room) console.log(`<${m.from.nick}> ${m.text}`);
 * ```
 */
export class Room extends TypedTarget<RoomEventMap>
  implements AsyncIterable<Message> {
  /** The room's name. */
  readonly name: string;
  readonly #wire: Wire;
  readonly #stream: MessageStream;
  readonly #members: MemberList;
  readonly #link: RoomLink<Room>;

  /** A room joining `name` over `wire`; see `NatterClient.join`. */
  constructor(name: string, options: JoinOptions, wire: Wire) {
    super();
    this.name = name;
    this.#wire = wire;
    this.#stream = new MessageStream(options.buffer ?? 1000, {
      message: (message) => this.emit("message", message),
      recovery: (recovered, epoch) =>
        this.emit("recovery", { recovered, epoch }),
    });
    this.#members = new MemberList((after) =>
      this.#link.request({ type: "members", room: name, after })
    );
    this.#link = new RoomLink<Room>({
      room: this as Room,
      name,
      options,
      stream: this.#stream,
      members: this.#members,
      trySend: (request) => wire.trySend(request),
      own: (client) => wire.own(client),
      forget: () => wire.forget(this),
      presence: (change) => this.emit("presence", change),
      lost: (error) => this.emit("error", error),
    });
    wire.attach(this, this.#link);
  }

  /** Settles when the room is first joined, or the join is refused. */
  get ready(): Promise<Room> {
    return this.#link.ready;
  }

  /** The history the first join brought, oldest first. */
  get backlog(): readonly Message[] {
    return this.#stream.backlog;
  }

  /** Whether the last rejoin missed nothing (false after the first join). */
  get recovered(): boolean {
    return this.#stream.recovered;
  }

  /** Where the room's stream stands for this client: the last message seen. */
  get position(): Position | undefined {
    return this.#stream.position;
  }

  /** This client's nick in the room, as the server has it. */
  get nick(): string | null {
    return this.#link.nick;
  }

  /** The server's id for this client's current connection. */
  get client(): string | undefined {
    return this.#link.client;
  }

  /** The members known, by client id; see {@linkcode listed}. */
  get members(): ReadonlyMap<string, Member> {
    return this.#members.members;
  }

  /** How many members the room has. */
  get count(): number {
    return this.#members.count;
  }

  /** Whether {@linkcode members} is everyone, kept current (small rooms). */
  get listed(): boolean {
    return this.#members.listed;
  }

  /** Whether `message` was sent by this client, on any of its connections. */
  mine(message: Message): boolean {
    return this.#wire.isOwn(message.from.client);
  }

  /** Reads the whole member list, page by page. */
  readMembers(): Promise<ReadonlyMap<string, Member>> {
    return this.#members.read();
  }

  /**
   * The messages after the join, each once and in order, for one loop at a
   * time; the loop ends when the room is left or the client closed, and
   * throws the {@linkcode NatterError} when the room was lost.
   */
  messages(): AsyncIterableIterator<Message, undefined, undefined> {
    return this.#stream.read();
  }

  /** The same as {@linkcode messages}. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Message, undefined> {
    return this.#stream.read();
  }

  /**
   * Posts `text` with a fresh random key; resolves with the offset the
   * server gave it. Sent again with the same key after a reconnect, so it
   * is posted once.
   */
  async send(text: string): Promise<number> {
    if (typeof text !== "string") {
      throw new TypeError(`Cannot send "${text}": it is not a string`);
    }
    const key = randomKey();
    const ack = await this.#link.request({
      type: "send",
      room: this.name,
      text,
      key,
    });
    return ack.offset;
  }

  /** Up to `limit` messages before the offset `before`, oldest first. */
  async history(
    options: { before: number; limit?: number },
  ): Promise<readonly Message[]> {
    const { before, limit } = options;
    if (!isCount(before) || (limit !== undefined && !isCount(limit))) {
      throw new RangeError(
        `Cannot read history before "${before}", "${limit}" at most`,
      );
    }
    const command = { type: "history" as const, room: this.name, before };
    const reply = await this.#link.request(
      limit === undefined ? command : { ...command, limit },
    );
    return reply.messages;
  }

  /** Leaves the room; its loop ends and what waits is rejected. */
  leave(): Promise<void> {
    return this.#link.leave();
  }
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
