/**
 * The seam between a connection and the protocol spoken over it: what a
 * session needs of its connection ({@linkcode Link}), and what the
 * connection needs of its session ({@linkcode Session}). A plain session
 * and a natter.v1 session sit on the same Client.
 *
 * @module
 */

import type { Batch } from "../room/batch.ts";
import type { CloseReason } from "../util/close_reasons.ts";

/** What a session needs of its connection. */
export interface Link {
  /** This connection's id (E1). */
  readonly id: string;
  /**
   * Queues what fits of `batch` for the writer, without waiting; `false`
   * when the queue is full.
   */
  offer(batch: Batch): boolean;
  /**
   * Queues notices for this connection alone, such as a reply; a connection
   * whose queue cannot take them is closed as a full queue (A5).
   */
  reply(...notices: string[]): void;
  /**
   * Stops queueing: the writer hands over what is queued, then closes with
   * `close`, or leaves the socket as it is without one.
   */
  release(close?: CloseReason): void;
  /** Closes the connection now for what it sent, with `close`. */
  refuse(close: CloseReason): void;
}

/** What a connection needs of the protocol spoken over it. */
export interface Session {
  /** The socket has opened. */
  open(): void;
  /** One text frame from the peer. */
  read(text: string): void;
  /** The connection has closed: leave every room, once. */
  leave(): void;
  /** The rooms the connection is in, or joining. */
  rooms(): string[];
}
