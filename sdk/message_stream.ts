/**
 * A room's messages as the application sees them: each once, in the room's
 * order, across rejoins. It keeps the position of the last message handed
 * on, which is where a rejoin asks to resume from, drops what comes again
 * at or before it, and says when a rejoin could not resume (a gap, or a
 * history that started over).
 *
 * @module
 */

import type { JoinedEvent, Message, Position } from "./frames.ts";
import { Inbox } from "./inbox.ts";

/** What a {@linkcode MessageStream} tells its room. */
export interface StreamHandlers {
  /** A message, handed on once. */
  message(message: Message): void;
  /** A rejoin's outcome, before the messages it brought. */
  recovery(recovered: boolean, epoch: string): void;
}

/**
 * The messages of one room, from its first join on.
 *
 * @example
 * ```ts
 * const seen: number[] = [];
 * const stream = new MessageStream(100, {
 *   message: (m) => seen.push(m.offset),
 *   recovery: (recovered) => console.log({ recovered }),
 * });
 * const from = { client: "a-1", nick: "ada" };
 * const message = (offset: number) => ({
 *   room: "lobby",
 *   offset,
 *   from,
 *   text: "hi",
 *   ts: 0,
 * });
 * stream.joined({
 *   type: "joined", id: 1, room: "lobby", nick: "ada", client: "a-1",
 *   epoch: "e1", offset: 0, recovered: false, history: [], presence: [],
 *   count: 1,
 * }, true);
 * stream.deliver(message(1));
 * stream.deliver(message(1)); // seen: dropped
 * seen; // [1]
 * ```
 */
export class MessageStream {
  readonly #inbox: Inbox<Message>;
  readonly #handlers: StreamHandlers;
  #position?: Position;
  #backlog: readonly Message[] = [];
  #recovered = false;

  /** A stream holding up to `buffer` unread messages for its loop. */
  constructor(buffer: number, handlers: StreamHandlers) {
    this.#inbox = new Inbox(buffer);
    this.#handlers = handlers;
  }

  /** The last message handed on, or the head of the room at the join. */
  get position(): Position | undefined {
    return this.#position;
  }

  /** The history the first join brought, oldest first. */
  get backlog(): readonly Message[] {
    return this.#backlog;
  }

  /** Whether the last join resumed with nothing missed. */
  get recovered(): boolean {
    return this.#recovered;
  }

  /**
   * Takes a join's reply. The first join's history is the backlog, and the
   * stream starts after the room's newest message; a rejoin's history
   * follows on from the position, all of it when the epoch changed.
   */
  joined(event: JoinedEvent, first: boolean): void {
    const was = this.#position;
    if (first) {
      this.#backlog = event.history;
      this.#recovered = event.recovered;
      this.#position = { epoch: event.epoch, offset: event.offset };
      return;
    }
    const same = was?.epoch === event.epoch;
    this.#recovered = event.recovered && same;
    // Another epoch numbers other messages: its offsets start over.
    this.#position = { epoch: event.epoch, offset: same ? was.offset : 0 };
    this.#handlers.recovery(this.#recovered, event.epoch);
    for (const message of event.history) this.deliver(message);
    const offset = Math.max(this.#position.offset, event.offset);
    this.#position = { epoch: event.epoch, offset };
  }

  /** Hands on `message`, unless it is at or before the position. */
  deliver(event: Message): void {
    const position = this.#position;
    if (!position || event.offset <= position.offset) return;
    this.#position = { epoch: position.epoch, offset: event.offset };
    const { room, offset, from, text, ts } = event;
    const message: Message = { room, offset, from, text, ts };
    this.#inbox.push(message);
    this.#handlers.message(message);
  }

  /** The loop over the messages handed on; see `Inbox.read`. */
  read(): AsyncIterableIterator<Message, undefined, undefined> {
    return this.#inbox.read();
  }

  /** Ends the loop: quietly, or throwing `error`. */
  end(error?: Error): void {
    this.#inbox.end(error);
  }
}
