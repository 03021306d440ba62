/**
 * A Batch: what a room's Hub offers its members together, in the room's
 * order, with the text each kind of member sends built once and shared by
 * every member that sends it.
 *
 * The room knows no protocol. A batch holds the room's messages and its
 * notices (presence news from the Hub, or a reply already encoded for one
 * member); each protocol's {@linkcode Encoding} says which of them its
 * members send and how they read as text. The batch keeps the text of the
 * last two encodings asked for, so a room of plain and natter.v1 members
 * builds each once per batch, not once per member.
 *
 * @module
 */

import type { Member, StoredMessage } from "../store/store.ts";

/** News of who came and went, and how many members the room has now. */
export interface Presence {
  /** The room whose members changed. */
  readonly room: string;
  /** Who joined. */
  readonly joined: readonly Member[];
  /** Who left. */
  readonly left: readonly Member[];
  /** How many members the room has now, wherever they are connected. */
  readonly count: number;
}

/**
 * Something besides the room's messages: presence news from the Hub, or a
 * reply already encoded as text for the one member it is for.
 */
export type Notice = Presence | string;

/** How one protocol's members turn batches into frames. */
export interface Encoding {
  /** Whether its members send notices; if not, only messages count. */
  readonly notices: boolean;
  /** The text of `notices` then `messages`, in that order. */
  items(
    notices: readonly Notice[],
    messages: readonly StoredMessage[],
  ): string;
  /** What goes between the items of two batches sent in one frame. */
  readonly separator: string;
  /** The frame around the items of one or more batches. */
  frame(items: string): string;
}

/** The text one encoding made of a batch, and its frame once asked for. */
interface Made {
  readonly encoding: Encoding;
  readonly text: string;
  frame?: string;
}

/**
 * Messages and notices offered together. The Hub offers the same Batch to
 * every member, so its texts cost once per batch and encoding, not once per
 * member.
 *
 * @example
 * ```ts
 * const lines: Encoding = {
 *   notices: false,
 *   items: (_notices, messages) => messages.map((m) => m.text).join("\n"),
 *   separator: "\n",
 *   frame: (items) => items,
 * };
 * const batch = Batch.of("a reply");
 * batch.size(lines); // 0: this encoding sends no notices
 * ```
 */
export class Batch {
  /** The room's messages, in offset order. */
  readonly messages: readonly StoredMessage[];
  /** What goes before the messages, for encodings that send notices. */
  readonly notices: readonly Notice[];
  #first?: Made;
  #second?: Made;

  /** Creates a batch, which must not be empty; neither array may change. */
  constructor(
    messages: readonly StoredMessage[],
    notices: readonly Notice[] = [],
  ) {
    if (messages.length + notices.length === 0) {
      throw new RangeError("Cannot batch no messages");
    }
    this.messages = messages;
    this.notices = notices;
  }

  /** A batch of notices alone, such as presence news or a reply. */
  static of(...notices: Notice[]): Batch {
    return new Batch([], notices);
  }

  /** How many items `encoding` sends of this batch. */
  size(encoding: Encoding): number {
    return encoding.notices
      ? this.notices.length + this.messages.length
      : this.messages.length;
  }

  /** The batch's items as `encoding` writes them, built once. */
  text(encoding: Encoding): string {
    return this.#made(encoding).text;
  }

  /**
   * The whole frame of a member that sends this batch alone, built once for
   * every member that does.
   */
  frame(encoding: Encoding): string {
    const made = this.#made(encoding);
    return made.frame ??= encoding.frame(made.text);
  }

  /** A batch of the first `count` items `encoding` sends. */
  slice(encoding: Encoding, count: number): Batch {
    if (count >= this.size(encoding)) return this;
    if (!encoding.notices) return new Batch(this.messages.slice(0, count));
    const notices = this.notices.slice(0, count);
    const messages = this.messages.slice(0, count - notices.length);
    return new Batch(messages, notices);
  }

  #made(encoding: Encoding): Made {
    const first = this.#first;
    if (first?.encoding === encoding) return first;
    const second = this.#second;
    if (second?.encoding === encoding) return second;
    const made = {
      encoding,
      text: encoding.items(
        encoding.notices ? this.notices : [],
        this.messages,
      ),
    };
    this.#second = first;
    this.#first = made;
    return made;
  }
}
