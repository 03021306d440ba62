/**
 * The Outbox: a client's bounded queue of outbound messages (A3, K1), the
 * one thing the Hub writes to and the client's writer drains.
 *
 * It holds whole batches as the Hub offers them and counts their messages
 * (plain mode) or events (natter.v1) against its capacity, so a client that
 * keeps up sends each batch's shared text as is, and one that fell behind
 * joins what it owes into one frame: LF-joined (O1) or one JSON array (S3).
 *
 * @module
 */

import type { Batch } from "./batch.ts";

/**
 * A bounded queue of outbound messages with one consumer.
 *
 * @example
 * ```ts
 * const outbox = new Outbox(256);
 * outbox.offer(batch);
 * if (await outbox.wait()) socket.send(outbox.take());
 * ```
 */
export class Outbox {
  readonly #capacity: number;
  readonly #events: boolean;
  #batches: Batch[] = [];
  #size = 0;
  #closed = false;
  #wake?: () => void;

  /**
   * Creates an outbox that holds at most `capacity` messages, or events when
   * `events` is set (a natter.v1 client's).
   */
  constructor(capacity: number, events = false) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot create an outbox: capacity "${capacity}" is not a positive integer`,
      );
    }
    this.#capacity = capacity;
    this.#events = events;
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
   *
   * @returns `false` if some did not fit (A5) or the outbox is closed.
   */
  offer(batch: Batch): boolean {
    if (this.#closed) return false;
    const size = batch.size(this.#events);
    // A batch with nothing for this kind of client, such as presence for a
    // plain one.
    if (size === 0) return true;
    const room = this.#capacity - this.#size;
    const fits = size <= room;
    if (room > 0) {
      const part = fits ? batch : batch.slice(this.#events, room);
      this.#batches.push(part);
      this.#size += part.size(this.#events);
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
    const events = this.#events;
    this.#batches = [];
    this.#size = 0;
    // A client that keeps up sends the batch's own frame, shared by all.
    if (batches.length === 1) return batches[0].frame(events);
    if (!events) return batches.map((batch) => batch.text(false)).join("\n");
    return "[" + batches.map((batch) => batch.text(true)).join(",") + "]";
  }

  /** Drops everything queued, for a client that will send nothing more. */
  discard(): void {
    this.#batches = [];
    this.#size = 0;
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
