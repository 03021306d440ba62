/**
 * A connection's deadlines: its first frame must come in time
 * (`--first-frame-timeout`), and it ends when its token expires. Each
 * closes the connection with its 1008.
 *
 * @module
 */

import { Alarm } from "./alarm.ts";
import {
  type CloseReason,
  SILENT,
  TOKEN_EXPIRED,
} from "../util/close_reasons.ts";

/** When a connection's deadlines fall. */
export interface DeadlineOptions {
  /** Milliseconds the first frame may take once open; 0 waits for ever. */
  readonly firstFrameTimeout: number;
  /** When the connection's token expires, in ms since the Unix epoch. */
  readonly expires?: number;
}

/** What a connection is told when a deadline passes. */
export interface DeadlineOwner {
  /** A deadline passed: close with `close` (called from a timer). */
  timedOut(close: CloseReason): void;
}

/**
 * The deadlines of one connection, set when its socket opens.
 *
 * @example
 * ```ts
 * const deadlines = new Deadlines({ firstFrameTimeout: 5000 }, {
 *   timedOut: (close) => console.log(`close with ${close.code}`),
 * });
 * deadlines.start(); // the socket opened
 * deadlines.framed(); // a frame came: the first-frame deadline is met
 * deadlines.stop(); // the connection ended
 * ```
 */
export class Deadlines {
  readonly #options: DeadlineOptions;
  readonly #owner: DeadlineOwner;
  #firstFrame?: ReturnType<typeof setTimeout>;
  #expiry?: Alarm;

  /** Creates the deadlines of a connection that is not open yet. */
  constructor(options: DeadlineOptions, owner: DeadlineOwner) {
    this.#options = options;
    this.#owner = owner;
  }

  /** Sets the deadlines: the socket has opened. */
  start(): void {
    const { firstFrameTimeout, expires } = this.#options;
    if (firstFrameTimeout > 0) {
      this.#firstFrame = setTimeout(
        () => this.#owner.timedOut(SILENT),
        firstFrameTimeout,
      );
    }
    if (expires !== undefined) {
      this.#expiry = new Alarm(
        expires,
        () => this.#owner.timedOut(TOKEN_EXPIRED),
      );
    }
  }

  /** A frame came: the first-frame deadline is met. */
  framed(): void {
    if (this.#firstFrame === undefined) return;
    clearTimeout(this.#firstFrame);
    this.#firstFrame = undefined;
  }

  /** Clears every deadline: the connection has ended. */
  stop(): void {
    this.framed();
    this.#expiry?.stop();
  }
}
