/**
 * A Batch: what a room's Hub offers its members together, in the room's
 * order, with the text each kind of member sends built once and shared by
 * every member that sends it.
 *
 * A plain-mode member (docs/contract.md) sends the messages' texts joined by LF
 * (O1). A natter.v1 member sends events (docs/protocol.md S3): the batch's
 * notices (presence, replies) and then a `message` event per message, each
 * serialised once, joined into a JSON array by its Outbox.
 *
 * @module
 */

import { messageEvent } from "../protocol/events.ts";
import type { StoredMessage } from "../store/store.ts";

/**
 * Messages and events offered together. The Hub offers the same Batch to
 * every member, so its texts cost once per batch, not once per member.
 *
 * @example
 * ```ts
 * const batch = new Batch(messages);
 * batch.text(false); // "a\nb": what a plain member sends
 * batch.text(true); // '{"type":"message",...},{"type":"message",...}'
 * ```
 */
export class Batch {
  /** The room's messages, in offset order. */
  readonly messages: readonly StoredMessage[];
  /** Serialised events for natter.v1 members only, sent before `messages`. */
  readonly notices: readonly string[];
  #plain?: string;
  #events?: string;
  #array?: string;

  /** Creates a batch, which must not be empty; neither array may change. */
  constructor(
    messages: readonly StoredMessage[],
    notices: readonly string[] = [],
  ) {
    if (messages.length + notices.length === 0) {
      throw new RangeError("Cannot batch no messages");
    }
    this.messages = messages;
    this.notices = notices;
  }

  /** A batch of events for natter.v1 members alone, such as a reply. */
  static of(...events: string[]): Batch {
    return new Batch([], events);
  }

  /** How many messages (plain) or events (natter.v1) the batch holds. */
  size(events: boolean): number {
    return events
      ? this.notices.length + this.messages.length
      : this.messages.length;
  }

  /**
   * What a member sends for this batch: the texts joined by a single LF
   * with no trailing LF (plain, O1), or the events joined by commas, ready to
   * go inside a JSON array (natter.v1, S3).
   */
  text(events: boolean): string {
    if (!events) {
      return this.#plain ??= this.messages.length === 1
        ? this.messages[0].text
        : this.messages.map((m) => m.text).join("\n");
    }
    if (this.#events !== undefined) return this.#events;
    const parts = this.notices.length === 0
      ? this.messages.map(messageEvent)
      : [...this.notices, ...this.messages.map(messageEvent)];
    return this.#events = parts.join(",");
  }

  /**
   * The whole frame of a member that sends this batch alone: the plain text,
   * or the events as a JSON array, built once for every member (S3).
   */
  frame(events: boolean): string {
    if (!events) return this.text(false);
    return this.#array ??= "[" + this.text(true) + "]";
  }

  /** A batch of the first `count` messages or events, as {@linkcode size}. */
  slice(events: boolean, count: number): Batch {
    if (count >= this.size(events)) return this;
    if (!events) return new Batch(this.messages.slice(0, count));
    const notices = this.notices.slice(0, count);
    const messages = this.messages.slice(0, count - notices.length);
    return new Batch(messages, notices);
  }
}
