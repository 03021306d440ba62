/**
 * The Outbox: a client's bounded queue of outbound messages (A3, K1), the
 * one thing the Hub writes to and the client's writer drains.
 *
 * It holds whole batches as the Hub offers them and counts their messages
 * (plain mode) or events (natter.v1) against its capacity, and their text
 * against a bound in bytes, so that neither many small events nor a few
 * large replies can hold unbounded memory for a client. A client that
 * keeps up sends each batch's shared text as is, and one that fell behind
 * joins what it owes into one frame: LF-joined (O1) or one JSON array (S3).
 *
 * @module
 */

import type { Batch, Encoding } from "../room/batch.ts";

/** Options for {@linkcode Outbox}. */
export interface OutboxOptions {
  /**
   * The most UTF-16 code units of text queued at once, a separator per
   * batch included; V8 holds each in one or two bytes.
   * @default {Infinity}
   */
  maxBytes?: number;
}

/**
 * A bounded queue of outbound messages with one consumer.
 *
 * @example
 * ```ts
 * import { Batch } from "../room/batch.ts";
 * import { LINES } from "../protocol/lines.ts";
 * import { stored } from "../test_util/messages.ts";
 * declare const socket: WebSocket;
 *
 * const outbox = new Outbox(256, LINES);
 * outbox.offer(new Batch(stored(["hello"])));
 * if (await outbox.wait()) socket.send(outbox.take());
 * ```
 */
export class Outbox {
  readonly #capacity: number;
  readonly #encoding: Encoding;
  readonly #maxBytes: number;
  #batches: Batch[] = [];
  #size = 0;
  #bytes = 0;
  #closed = false;
  #wake?: () => void;

  /**
   * Creates an outbox that holds at most `capacity` items of batches, each
   * written as `encoding` says (a plain client's messages, or a natter.v1
   * client's events).
   */
  constructor(
    capacity: number,
    encoding: Encoding,
    options: OutboxOptions = {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot create an outbox: capacity "${capacity}" is not a positive integer`,
      );
    }
    const maxBytes = options.maxBytes ?? Infinity;
    if (!(maxBytes >= 1)) {
      throw new RangeError(
        `Cannot create an outbox: maxBytes "${maxBytes}" is not positive`,
      );
    }
    this.#capacity = capacity;
    this.#encoding = encoding;
    this.#maxBytes = maxBytes;
  }

  /** How many UTF-16 code units of text are queued, separators included. */
  get bytes(): number {
    return this.#bytes;
  }

  /** How many messages are queued. */
  get size(): number {
    return this.#size;
  }

  /** Whether {@linkcode Outbox.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Queues as many of `batch`'s messages as fit, in order, without waiting.
   * A batch whose text would pass the bound in bytes is not queued at all.
   *
   * @returns `false` if some did not fit (A5) or the outbox is closed.
   */
  offer(batch: Batch): boolean {
    if (this.#closed) return false;
    const size = batch.size(this.#encoding);
    // A batch with nothing for this kind of client, such as presence for a
    // plain one.
    if (size === 0) return true;
    const room = this.#capacity - this.#size;
    const fits = size <= room;
    if (room > 0) {
      const part = fits ? batch : batch.slice(this.#encoding, room);
      // The text is built once per batch and shared, so measuring it costs
      // a member nothing that sending it would not.
      const bytes = part.text(this.#encoding).length + 1;
      if (this.#bytes + bytes > this.#maxBytes) return false;
      this.#batches.push(part);
      this.#size += part.size(this.#encoding);
      this.#bytes += bytes;
      this.#wakeUp();
    }
    return fits;
  }

  /**
   * Waits until a message is queued.
   *
   * @returns `true` when there is something to take, `false` once the outbox
   * is closed and empty.
   */
  wait(): Promise<boolean> {
    if (this.#size > 0) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.#wake = () => resolve(this.#size > 0);
    });
  }

  /**
   * Empties the outbox into one frame's text: its messages joined by LF, or
   * its events as one JSON array.
   */
  take(): string {
    const batches = this.#batches;
    const encoding = this.#encoding;
    this.#batches = [];
    this.#size = 0;
    this.#bytes = 0;
    // A client that keeps up sends the batch's own frame, shared by all.
    if (batches.length === 1) return batches[0].frame(encoding);
    const items = batches.map((batch) => batch.text(encoding));
    return encoding.frame(items.join(encoding.separator));
  }

  /** Drops everything queued, for a client that will send nothing more. */
  discard(): void {
    this.#batches = [];
    this.#size = 0;
    this.#bytes = 0;
  }

  /** Refuses further offers; what is queued can still be taken. */
  close(): void {
    this.#closed = true;
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
