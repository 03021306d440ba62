/**
 * The Writer: the one writer of a connection (A4). Once something is
 * queued it runs as a microtask, takes everything queued at once and sends
 * it as one frame (O1, S3), and stops sending to a socket that does not
 * drain (O3), waiting for it as the one {@linkcode DrainWatch} of every
 * connection sees it.
 *
 * @module
 */

import { DrainWatch } from "./drain_watch.ts";
import { FRAMES } from "../util/frame_cost.ts";
import type { Outbox } from "./outbox.ts";

/** Watches the sockets of every Writer that is waiting for a drain (O3). */
const DRAINS = new DrainWatch();

/** Where the writer is: nothing to do, queued as a microtask, or paused. */
const IDLE = 0, SCHEDULED = 1, DRAINING = 2;

/** What a Writer tells its connection. */
export interface WriterOwner {
  /** Whether the connection is closing: nothing more is sent. */
  readonly closing: boolean;
  /** The outbox is closed and empty: everything owed was handed over. */
  finished(): void;
  /** The socket made no progress draining for the write wait. */
  stalled(): void;
  /** The writer failed, by a fault of natter's own. */
  crash(error: unknown): void;
}

/** Options for {@linkcode Writer}. */
export interface WriterOptions {
  /** Unsent bytes above which the writer stops handing the socket more. */
  readonly highWaterMark: number;
  /** Milliseconds the unsent bytes may stay above it, not going down. */
  readonly writeWait: number;
}

/**
 * The writer of one socket, fed by one outbox.
 *
 * @example
 * ```ts
 * import { Outbox } from "./outbox.ts";
 * import { LINES } from "../protocol/lines.ts";
 * declare const socket: WebSocket;
 * declare const owner: WriterOwner;
 *
 * const outbox = new Outbox(256, LINES);
 * const writer = new Writer(socket, outbox, owner, {
 *   highWaterMark: 65536,
 *   writeWait: 10_000,
 * });
 * writer.schedule(); // after an offer to the outbox
 * ```
 */
export class Writer {
  readonly #socket: WebSocket;
  readonly #outbox: Outbox;
  readonly #owner: WriterOwner;
  readonly #options: WriterOptions;
  #state = IDLE;

  /** Creates the writer of `socket`, sending what `outbox` holds. */
  constructor(
    socket: WebSocket,
    outbox: Outbox,
    owner: WriterOwner,
    options: WriterOptions,
  ) {
    this.#socket = socket;
    this.#outbox = outbox;
    this.#owner = owner;
    this.#options = options;
  }

  /** Queues the writer, unless it is queued already or paused. */
  schedule(): void {
    if (this.#state !== IDLE) return;
    this.#state = SCHEDULED;
    queueMicrotask(this.#write);
  }

  readonly #write = (): void => {
    try {
      this.#writeOut();
    } catch (error) {
      this.#owner.crash(error);
    }
  };

  /**
   * Hands everything queued to the socket as one frame, or pauses while the
   * socket holds more than the high-water mark. Once the outbox is closed
   * and empty, tells the owner.
   */
  #writeOut(): void {
    this.#state = IDLE;
    const socket = this.#socket;
    if (socket.readyState !== WebSocket.OPEN || this.#owner.closing) return;
    const outbox = this.#outbox;
    if (outbox.size > 0) {
      if (socket.bufferedAmount > this.#options.highWaterMark) {
        this.#state = DRAINING;
        this.#drained().then((drained) => {
          this.#state = IDLE;
          if (drained) return this.#write();
          this.#owner.stalled();
        });
        return;
      }
      socket.send(outbox.take());
      FRAMES.sent();
    }
    if (outbox.closed) this.#owner.finished();
  }

  /**
   * Waits until the socket's unsent bytes fall to the high-water mark: within
   * a millisecond or so, with no timer of its own. A connection released
   * meanwhile keeps waiting: while its socket drains, what was queued for it
   * is still handed over before the close (O2).
   *
   * @returns `false` if they made no progress for the write wait, or the
   * socket closed, or the connection is closing.
   */
  #drained(): Promise<boolean> {
    return DRAINS.wait(this.#socket, {
      mark: this.#options.highWaterMark,
      writeWait: this.#options.writeWait,
      stop: () => this.#owner.closing,
    });
  }
}
