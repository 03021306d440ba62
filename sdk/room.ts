/**
 * A room the client is in: what the join brought (the backlog, the
 * members), the messages since, each once and in order across reconnects,
 * and the commands about it (send, history, members, leave), which wait for
 * the room to be joined on the current socket and are sent again after a
 * drop.
 *
 * @module
 */

import { ClosedError, type NatterError } from "./errors.ts";
import type {
  Command,
  JoinedEvent,
  Member,
  Message,
  MessageEvent,
  Position,
  PresenceEvent,
  ServerEvent,
} from "./frames.ts";
import { joinRequest } from "./join_request.ts";
import { randomKey } from "./key.ts";
import { MemberList } from "./member_list.ts";
import { MessageStream } from "./message_stream.ts";
import { CommandQueue } from "./command_queue.ts";
import type { AnswerTo, PendingCommand } from "./pending_command.ts";
import type { JoinOptions, RoomEventMap } from "./room_events.ts";
import { TypedTarget } from "./typed_target.ts";
import type { RoomPort, Wire } from "./wire.ts";

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
  readonly #options: JoinOptions;
  readonly #stream: MessageStream;
  readonly #members: MemberList;
  readonly #queue: CommandQueue;
  readonly #ready: Promise<Room>;
  #join?: PendingCommand;
  #state: "joining" | "joined" | "ended" = "joining";
  #first = true;
  #nick: string | null = null;
  #client?: string;
  #settle!: { resolve(room: Room): void; reject(error: Error): void };

  /** A room joining `name` over `wire`; see `NatterClient.join`. */
  constructor(name: string, options: JoinOptions, wire: Wire) {
    super();
    this.name = name;
    this.#options = options;
    this.#wire = wire;
    this.#queue = new CommandQueue(name);
    this.#stream = new MessageStream(options.buffer ?? 1000, {
      message: (message) => this.emit("message", message),
      recovery: (recovered, epoch) =>
        this.emit("recovery", { recovered, epoch }),
    });
    this.#members = new MemberList((after) =>
      this.#request({ type: "members", room: name, after })
    );
    this.#ready = new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    this.#ready.catch(() => {});
    const port: RoomPort = {
      flush: () => this.#flush(),
      down: () => this.#down(),
      event: (event) => this.#event(event),
      answer: (request, event) => this.#answer(request, event),
      refuse: (request, error) => this.#refuse(request, error),
      end: (error) => this.#end(error, false),
    };
    wire.attach(this, port);
  }

  /** Settles when the room is first joined, or the join is refused. */
  get ready(): Promise<Room> {
    return this.#ready;
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
    return this.#nick;
  }

  /** The server's id for this client's current connection. */
  get client(): string | undefined {
    return this.#client;
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
    const ack = await this.#request({
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
    const reply = await this.#request(
      limit === undefined ? command : { ...command, limit },
    );
    return reply.messages;
  }

  /** Leaves the room; its loop ends and what waits is rejected. */
  async leave(): Promise<void> {
    if (this.#state === "ended") return;
    const inFlight = this.#join?.id !== undefined;
    if (this.#state !== "joined" && !inFlight && !this.#first) {
      // Not on a socket now: the drop already left the room on the server.
      return this.#end(new ClosedError(`Left room "${this.name}"`), false);
    }
    await this.#request({ type: "leave", room: this.name });
  }

  #request<C extends Command>(command: C): Promise<AnswerTo<C>> {
    if (this.#state === "ended") {
      return Promise.reject(new ClosedError(`Not in room "${this.name}"`));
    }
    const answer = this.#queue.add(command);
    this.#flush();
    return answer;
  }

  #flush(): void {
    if (this.#state === "ended") return;
    if (this.#state === "joining") {
      this.#join ??= this.#joinRequest();
      if (this.#join.id === undefined) this.#wire.trySend(this.#join);
      return;
    }
    this.#queue.flush((request) => this.#wire.trySend(request));
  }

  /** The join to send: with the nick had, from the position reached. */
  #joinRequest(): PendingCommand {
    return joinRequest({
      room: this.name,
      nick: this.#nick ?? this.#options.nick,
      since: this.#stream.position ?? this.#options.since,
      first: this.#first,
    });
  }

  #down(): void {
    if (this.#state === "ended") return;
    this.#state = "joining";
    if (this.#join) this.#join.id = undefined;
    if (!this.#first) this.#join = undefined;
    // The drop left the room on the server: a leave waiting is done.
    if (this.#queue.dropped()) {
      this.#end(new ClosedError(`Left room "${this.name}"`), false);
    }
  }

  #event(event: MessageEvent | PresenceEvent): void {
    if (this.#state !== "joined") return;
    if (event.type === "presence") {
      this.#members.presence(event);
      const { joined, left, count } = event;
      return this.emit("presence", { joined, left, count });
    }
    this.#stream.deliver(event);
  }

  #answer(request: PendingCommand, event: ServerEvent): void {
    if (request === this.#join) return this.#joined(event as JoinedEvent);
    this.#queue.answer(request, event);
    if (event.type === "left") {
      this.#end(new ClosedError(`Left room "${this.name}"`), false);
    }
  }

  /** Takes a refusal; whether the request will be tried again. */
  #refuse(request: PendingCommand, error: NatterError): boolean {
    if (request !== this.#join) return this.#queue.refuse(request, error);
    if (request.refused(error)) return true;
    this.#end(error, !this.#first);
    return false;
  }

  #joined(event: JoinedEvent): void {
    const first = this.#first;
    this.#join?.answer(event);
    this.#join = undefined;
    this.#first = false;
    this.#state = "joined";
    this.#nick = event.nick;
    this.#client = event.client;
    if (event.client !== undefined) this.#wire.own(event.client);
    const { joined, left } = this.#members.joined(event.presence, event.count);
    this.#stream.joined(event, first);
    if (first) this.#settle.resolve(this);
    // Who came and went while the socket was down.
    else this.emit("presence", { joined, left, count: event.count });
    this.#flush();
  }

  /**
   * Ends the room: what waits is rejected with `error`; when `lost`, the
   * loop throws it and an `error` event tells of it, else the loop ends.
   */
  #end(error: Error, lost: boolean): void {
    if (this.#state === "ended") return;
    this.#state = "ended";
    this.#wire.forget(this);
    const join = this.#join;
    this.#join = undefined;
    if (this.#first) this.#settle.reject(error);
    join?.fail(error as NatterError | ClosedError);
    this.#queue.end(error as NatterError | ClosedError);
    this.#stream.end(lost ? error : undefined);
    if (lost) this.emit("error", error as NatterError);
  }
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
