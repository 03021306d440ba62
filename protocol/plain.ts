/**
 * A plain Session: gorilla's chat over one connection (docs/contract.md). The
 * connection is a member of one room, chosen by its path (R2): it joins when
 * the socket opens and leaves when it closes. Each text frame is one
 * message, drafted (K2, I1) and handed to the room in the order it came
 * (I4). Whatever goes wrong closes the connection, with the code the contract
 * gives: there is no other way to tell a plain client.
 *
 * @module
 */

import type { Hub } from "../hub.ts";
import type { Link, Session } from "../connection/link.ts";
import { closeFor, refusalClose } from "../connection/closes.ts";
import type { Batch } from "../room/batch.ts";
import { draft, type DraftLimits } from "../room/draft.ts";
import type { Speaker } from "../room/intake.ts";
import type { Rooms } from "../room/rooms.ts";
import type { Refusal, Release, Subscriber } from "../room/subscriber.ts";
import type { Member } from "../store/store.ts";
import type { TokenBucket } from "../util/bucket.ts";
import {
  type CloseReason,
  GOING_AWAY,
  RATE_LIMITED,
  TOO_BIG,
  TOO_MANY_ROOMS,
} from "../util/close_reasons.ts";

/** What a plain Session is given. */
export interface PlainOptions {
  /** The room, chosen by the connection's path. */
  readonly room: string;
  /** Who the connection is in the room. */
  readonly member: Member;
  /** The server's rooms. */
  readonly rooms: Rooms;
  /** The largest message in UTF-8 bytes; a larger one closes with 1009. */
  readonly maxMessageSize: number;
  /** The connection's rate of messages; over it, it closes with 1008. */
  readonly rate?: TokenBucket;
}

/**
 * One plain connection's membership of its room.
 *
 * @example
 * ```ts
 * import { Rooms } from "../room/rooms.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * import type { Link } from "../connection/link.ts";
 * declare const link: Link;
 *
 * const session = new PlainSession(link, {
 *   room: "lobby",
 *   member: { client: link.id, nick: null },
 *   rooms: new Rooms(new MemoryStore()),
 *   maxMessageSize: 512,
 * });
 * session.open();
 * session.read("hello");
 * ```
 */
export class PlainSession implements Session, Subscriber, Speaker {
  readonly #link: Link;
  readonly #options: PlainOptions;
  /** What each message is drafted against, built once. */
  readonly #limits: DraftLimits;
  /** The room's Hub, once the socket is open and the room exists. */
  #hub?: Hub;
  /** Set once the Hub has (or will have) this connection in its set. */
  #registered = false;
  /** The registration still waiting for room in the Hub's channel, if any. */
  #registering?: Promise<void>;
  #left = false;

  /** Creates the plain session of the connection behind `link`. */
  constructor(link: Link, options: PlainOptions) {
    this.#link = link;
    this.#options = options;
    this.#limits = { maxBytes: options.maxMessageSize, rate: options.rate };
  }

  /** Joins the room. */
  open(): void {
    const hub = this.#options.rooms.get(this.#options.room);
    if (!hub) return this.#link.release(TOO_MANY_ROOMS);
    this.#hub = hub;
    const join = { subscriber: this, member: this.#options.member };
    const waiting = hub.register.put(join);
    if (!waiting) {
      this.#registered = true;
      return;
    }
    // Unless the Hub is closing: this socket opened too late to be told by it.
    this.#registering = waiting.then(
      () => {
        this.#registered = true;
      },
      () => this.#link.release(GOING_AWAY),
    );
  }

  /** Hands one message to the room, or closes the connection for it. */
  read(text: string): void {
    const drafted = draft(text, this.#limits);
    if ("refused" in drafted) {
      const close = drafted.refused === "too_big" ? TOO_BIG : RATE_LIMITED;
      return this.#link.refuse(close);
    }
    // A message sent before the Hub took the registration still goes to it:
    // the channel keeps the order, registration first.
    this.#hub?.intake.offer(this, {
      text: drafted.text,
      from: this.#options.member,
      sender: this,
      at: performance.now(),
    });
  }

  /** Leaves the room once, however the connection ended. */
  leave(): void {
    if (this.#left) return;
    this.#left = true;
    if (this.#registering) this.#registering.then(() => this.#unregister());
    else if (this.#registered) this.#unregister();
    else this.#link.release();
  }

  /** The connection's one room. */
  rooms(): string[] {
    return [this.#options.room];
  }

  /** Queues a batch of the room's for the writer. */
  offer(batch: Batch): boolean {
    return this.#link.offer(batch);
  }

  /** The room turned the join away: the connection closes (1013, 1011). */
  refused(refusal: Refusal): void {
    this.#link.release(refusalClose(refusal));
  }

  /** The room let the connection go: it closes as the room says. */
  release(release: Release): void {
    this.#link.release(closeFor(release));
  }

  /** The room's intake refused what the connection sent. */
  refuse(close: CloseReason): void {
    this.#link.refuse(close);
  }

  #unregister(): void {
    const hub = this.#hub;
    if (!this.#registered || !hub) return;
    // The Hub may be busy: then wait; if it has closed, it released everyone.
    hub.unregister.put(this)?.catch(() => this.#link.release());
  }
}
