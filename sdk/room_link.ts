/**
 * Keeping one room joined across sockets: the room's join (and every rejoin
 * after a drop, from the position reached), its commands, held until the
 * room is joined on the current socket and sent again after a drop, and
 * the answers and refusals the client hands it, until the room ends.
 *
 * @module
 */

import { ClosedError, type NatterError } from "./errors.ts";
import type {
  Command,
  JoinedEvent,
  MessageEvent,
  PresenceEvent,
  ServerEvent,
} from "./frames.ts";
import { CommandQueue } from "./command_queue.ts";
import { joinRequest } from "./join_request.ts";
import type { MemberList } from "./member_list.ts";
import type { MessageStream } from "./message_stream.ts";
import type { AnswerTo, PendingCommand } from "./pending_command.ts";
import type { JoinOptions, Presence } from "./room_events.ts";
import type { RoomPort } from "./wire.ts";

/** What a link works with and tells: the room's parts, seen from outside. */
export interface LinkParts<R> {
  /** The room, as its join resolves. */
  readonly room: R;
  /** The room's name. */
  readonly name: string;
  /** How it was asked to join. */
  readonly options: JoinOptions;
  /** The room's messages, as the application reads them. */
  readonly stream: MessageStream;
  /** The room's members. */
  readonly members: MemberList;
  /** Sends a request now, if it can be; see `Wire.trySend`. */
  trySend(request: PendingCommand): void;
  /** Remembers `client` as one of this client's connections. */
  own(client: string): void;
  /** The room ended: the client forgets it. */
  forget(): void;
  /** Tells the application who came and went. */
  presence(change: Presence): void;
  /** Tells the application the room was lost. */
  lost(error: NatterError): void;
}

/**
 * One room's link to the server, driven by the client as the room's port.
 *
 * @example
 * ```ts
 * import { MemberList } from "./member_list.ts";
 * import { MessageStream } from "./message_stream.ts";
 *
 * const stream = new MessageStream(1000, {
 *   message: () => {},
 *   recovery: () => {},
 * });
 * const link: RoomLink<string> = new RoomLink({
 *   room: "the room",
 *   name: "lobby",
 *   options: {},
 *   stream,
 *   members: new MemberList(() => link.request({ type: "members", room: "lobby" })),
 *   trySend: () => {},
 *   own: () => {},
 *   forget: () => {},
 *   presence: () => {},
 *   lost: () => {},
 * });
 * link.flush(); // the join is sent, once a socket takes it
 * ```
 */
export class RoomLink<R> implements RoomPort {
  readonly #parts: LinkParts<R>;
  readonly #queue: CommandQueue;
  readonly #ready = Promise.withResolvers<R>();
  #join?: PendingCommand;
  #state: "joining" | "joined" | "ended" = "joining";
  #first = true;
  #nick: string | null = null;
  #client?: string;

  /** A link for the room `parts` describe; it joins on the first flush. */
  constructor(parts: LinkParts<R>) {
    this.#parts = parts;
    this.#queue = new CommandQueue(parts.name);
    this.#ready.promise.catch(() => {});
  }

  /** Settles when the room is first joined, or the join is refused. */
  get ready(): Promise<R> {
    return this.#ready.promise;
  }

  /** This client's nick in the room, as the server has it. */
  get nick(): string | null {
    return this.#nick;
  }

  /** The server's id for this client's current connection. */
  get client(): string | undefined {
    return this.#client;
  }

  /** Sends `command` once the room is joined; resolves with its answer. */
  request<C extends Command>(command: C): Promise<AnswerTo<C>> {
    if (this.#state === "ended") {
      return Promise.reject(new ClosedError(this.#gone("Not in")));
    }
    const answer = this.#queue.add(command);
    this.flush();
    return answer;
  }

  /** Leaves the room; what waits is rejected. */
  async leave(): Promise<void> {
    if (this.#state === "ended") return;
    const inFlight = this.#join?.id !== undefined;
    if (this.#state !== "joined" && !inFlight && !this.#first) {
      // Not on a socket now: the drop already left the room on the server.
      return this.end(new ClosedError(this.#gone("Left")), false);
    }
    await this.request({ type: "leave", room: this.#parts.name });
  }

  /** Sends what may be sent: the join, or the commands that wait. */
  flush(): void {
    if (this.#state === "ended") return;
    if (this.#state === "joining") {
      this.#join ??= joinRequest({
        room: this.#parts.name,
        nick: this.#nick ?? this.#parts.options.nick,
        since: this.#parts.stream.position ?? this.#parts.options.since,
        first: this.#first,
      });
      if (this.#join.id === undefined) this.#parts.trySend(this.#join);
      return;
    }
    this.#queue.flush((request) => this.#parts.trySend(request));
  }

  /** The socket dropped: nothing is in flight any more. */
  down(): void {
    if (this.#state === "ended") return;
    this.#state = "joining";
    if (this.#join) this.#join.id = undefined;
    if (!this.#first) this.#join = undefined;
    // The drop left the room on the server: a leave waiting is done.
    if (this.#queue.dropped()) this.end(new ClosedError(this.#gone("Left")));
  }

  /** A message or presence event of the room. */
  event(event: MessageEvent | PresenceEvent): void {
    if (this.#state !== "joined") return;
    if (event.type === "presence") {
      this.#parts.members.presence(event);
      const { joined, left, count } = event;
      return this.#parts.presence({ joined, left, count });
    }
    this.#parts.stream.deliver(event);
  }

  /** The answer to one of the room's requests. */
  answer(request: PendingCommand, event: ServerEvent): void {
    if (request === this.#join) return this.#joined(event as JoinedEvent);
    this.#queue.answer(request, event);
    if (event.type === "left") this.end(new ClosedError(this.#gone("Left")));
  }

  /** Takes a refusal; whether the request will be tried again. */
  refuse(request: PendingCommand, error: NatterError): boolean {
    if (request !== this.#join) return this.#queue.refuse(request, error);
    if (request.refused(error)) return true;
    this.end(error, !this.#first);
    return false;
  }

  /**
   * Ends the room: what waits is rejected with `error`; when `lost`, the
   * loop throws it and the application is told, else the loop ends.
   */
  end(error: Error, lost = false): void {
    if (this.#state === "ended") return;
    this.#state = "ended";
    this.#parts.forget();
    const join = this.#join;
    this.#join = undefined;
    if (this.#first) this.#ready.reject(error);
    join?.fail(error as NatterError | ClosedError);
    this.#queue.end(error as NatterError | ClosedError);
    this.#parts.stream.end(lost ? error : undefined);
    if (lost) this.#parts.lost(error as NatterError);
  }

  #joined(event: JoinedEvent): void {
    const first = this.#first;
    this.#join?.answer(event);
    this.#join = undefined;
    this.#first = false;
    this.#state = "joined";
    this.#nick = event.nick;
    this.#client = event.client;
    if (event.client !== undefined) this.#parts.own(event.client);
    const { members, stream } = this.#parts;
    const { joined, left } = members.joined(event.presence, event.count);
    stream.joined(event, first);
    if (first) this.#ready.resolve(this.#parts.room);
    // Who came and went while the socket was down.
    else this.#parts.presence({ joined, left, count: event.count });
    this.flush();
  }

  #gone(how: string): string {
    return `${how} room "${this.#parts.name}"`;
  }
}
