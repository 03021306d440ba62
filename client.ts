/**
 * The Client: one per connection, between its WebSocket and the Hub (A3), with
 * exactly one reader and one writer (A4).
 *
 * The read side checks and normalises each inbound message and forwards it to
 * the Hub's broadcast channel. The write side runs once the Hub has offered
 * to the Client's bounded queue, takes everything queued at once and sends it
 * as one frame (O1), and stops sending to a socket that does not drain (O3).
 *
 * A Client holds no closures and no suspended async function while idle: it
 * is the socket's event listener itself, and its writer is a method queued as
 * a microtask when there is something to write. Thousands of idle
 * connections cost little more than Deno's own sockets.
 *
 * @module
 */

import type { Batch } from "./batch.ts";
import {
  type CloseReason,
  GOING_AWAY,
  type Hub,
  type Subscriber,
} from "./hub.ts";
import { Intake, type Speaker } from "./intake.ts";
import { exceedsUtf8, normalize } from "./message.ts";
import { Outbox } from "./outbox.ts";

/** Options for {@linkcode Client}. */
export interface ClientOptions {
  /**
   * How many outbound messages may wait for the writer (K1); a client whose
   * queue is full is evicted.
   * @default {256}
   */
  queueSize?: number;
  /**
   * The largest inbound message in UTF-8 bytes (K2); a larger one closes the
   * connection with 1009.
   * @default {512}
   */
  maxMessageSize?: number;
  /**
   * Milliseconds the socket's unsent bytes may stay above the high-water mark
   * without going down before the connection is given up (K3).
   * @default {10000}
   */
  writeWait?: number;
  /**
   * Unsent bytes above which the writer stops handing the socket more (O3).
   * The kernel's socket buffer fills first, so only a peer that stopped
   * reading gets this far; what Deno holds for it stays near this bound.
   * @default {65536}
   */
  highWaterMark?: number;
  /**
   * Where inbound messages wait for room in the Hub's broadcast channel: one
   * intake per Hub, shared by its clients, so that they share its bound.
   * @default {new Intake(hub.broadcast)}
   */
  intake?: Intake;
  /** Where to report closes that are not a peer's normal leaving. */
  log?: (line: string) => void;
  /** Called once the socket has closed, whatever closed it. */
  onClose?: (socket: WebSocket) => void;
}

/** The close sent to a peer whose socket made no progress for the write wait. */
export const WRITE_TIMEOUT: CloseReason = {
  code: 1008,
  reason: "write timeout",
};

/** Leaving, going away, no status, or a dropped connection: not errors (I5). */
const NORMAL_CLOSE = new Set([0, 1000, 1001, 1005, 1006]);
/** Error messages of a connection that merely went away. */
const DROPPED = /EOF|os error|reset|broken pipe/i;

const BINARY: CloseReason = {
  code: 1003,
  reason: "binary messages are not supported",
};
const TOO_BIG: CloseReason = { code: 1009, reason: "message too big" };

/** Where the writer is: nothing to do, queued as a microtask, or paused. */
const IDLE = 0, SCHEDULED = 1, DRAINING = 2;

/**
 * One connection's Client. It registers with the Hub when the socket opens
 * and unregisters when the socket closes or the Client gives up on it.
 */
export class Client implements Subscriber, Speaker, EventListenerObject {
  readonly #socket: WebSocket;
  readonly #hub: Hub;
  readonly #queue: Outbox;
  readonly #maxMessageSize: number;
  readonly #writeWait: number;
  readonly #highWaterMark: number;
  readonly #intake: Intake;
  readonly #log: (line: string) => void;
  readonly #onClose?: (socket: WebSocket) => void;
  /** Set once the Hub has (or will have) this client in its set. */
  #registered = false;
  /** The registration still waiting for room in the Hub's channel, if any. */
  #registering?: Promise<void>;
  #released?: CloseReason;
  #writer = IDLE;
  #left = false;
  #closing = false;
  #error = "";

  /** Attaches a Client to `socket`, a server-side WebSocket not yet open. */
  constructor(socket: WebSocket, hub: Hub, options: ClientOptions = {}) {
    this.#socket = socket;
    this.#hub = hub;
    this.#queue = new Outbox(options.queueSize ?? 256);
    this.#maxMessageSize = options.maxMessageSize ?? 512;
    this.#writeWait = options.writeWait ?? 10_000;
    this.#highWaterMark = options.highWaterMark ?? 64 * 1024;
    this.#intake = options.intake ?? new Intake(hub.broadcast);
    this.#log = options.log ?? (() => {});
    this.#onClose = options.onClose;
    socket.binaryType = "arraybuffer";
    for (const type of ["open", "message", "error", "close"]) {
      socket.addEventListener(type, this);
    }
  }

  /** Queues what fits of `batch` without waiting; `false` when full. */
  offer(batch: Batch): boolean {
    const fits = this.#queue.offer(batch);
    this.#schedule();
    return fits;
  }

  /** Closes the connection: the intake found this client sent too much. */
  refuse(close: CloseReason): void {
    this.#fail(close);
  }

  /** Lets the writer finish what is queued, then close as the Hub says. */
  release(close?: CloseReason): void {
    this.#released = close;
    this.#queue.close();
    this.#schedule();
  }

  /**
   * The socket's events. Not for callers: the Client is its socket's event
   * listener so that it needs no closure per connection.
   * @internal
   */
  handleEvent(event: Event): void {
    switch (event.type) {
      case "open":
        return this.#register();
      case "message":
        return this.#read((event as MessageEvent).data);
      case "error":
        // Deno reports a protocol error (bad frame, invalid UTF-8) as an
        // error event, then a close with code 0; a dropped connection looks
        // the same but for the error's message.
        this.#error = (event as ErrorEvent).message ?? "";
        return;
      case "close":
        // A close natter started was logged when it started.
        if (!this.#left && !this.#closing) {
          this.#logClose(event as CloseEvent, this.#error);
        }
        this.#onClose?.(this.#socket);
        return this.#leave();
    }
  }

  #register(): void {
    const register = this.#hub.register;
    if (register.trySend(this)) {
      this.#registered = true;
      return;
    }
    // The Hub is closing: this socket opened too late to be told by it.
    if (register.closed) return this.release(GOING_AWAY);
    this.#registering = register.send(this).then(
      () => {
        this.#registered = true;
      },
      () => this.release(GOING_AWAY),
    );
  }

  #read(data: unknown): void {
    if (this.#left) return;
    if (typeof data !== "string") return this.#fail(BINARY);
    if (exceedsUtf8(data, this.#maxMessageSize)) return this.#fail(TOO_BIG);
    // Into the Hub's channel, or waiting its turn (see intake.ts).
    this.#intake.offer(this, normalize(data));
  }

  /** Queues the writer, unless it is queued already or paused. */
  #schedule(): void {
    if (this.#writer !== IDLE) return;
    this.#writer = SCHEDULED;
    queueMicrotask(this.#write);
  }

  /**
   * The writer (A4): hands everything queued to the socket as one frame, or
   * pauses while the socket holds more than the high-water mark (O3). Once
   * the Hub has released the client and the queue is empty, it closes.
   */
  readonly #write = (): void => {
    this.#writer = IDLE;
    const socket = this.#socket;
    if (socket.readyState !== WebSocket.OPEN || this.#closing) return;
    if (this.#queue.size > 0) {
      if (socket.bufferedAmount > this.#highWaterMark) {
        this.#writer = DRAINING;
        this.#drained().then((drained) => {
          this.#writer = IDLE;
          if (drained) return this.#write();
          if (!this.#released) return this.#fail(WRITE_TIMEOUT);
          this.#closeReleased();
        });
        return;
      }
      socket.send(this.#queue.take());
    }
    if (this.#queue.closed) this.#closeReleased();
  };

  /** Closes as the Hub said when it released this client, if it said so. */
  #closeReleased(): void {
    const close = this.#released;
    if (!close || this.#closing) return;
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    if (close.code !== 1001) {
      // What Deno still holds for this peer: it cannot be dropped, only
      // stopped from growing (O3).
      const unsent = this.#socket.bufferedAmount;
      this.#log(`client evicted: ${close.reason} (${unsent} bytes unsent)`);
    }
    this.#close(close);
  }

  /**
   * Waits until the socket's unsent bytes fall to the high-water mark. There
   * is no drain event, so it polls, backing off to 50 ms.
   *
   * @returns `false` if they made no progress for the write wait, or the
   * socket closed, or the Hub released this client meanwhile.
   */
  async #drained(): Promise<boolean> {
    const socket = this.#socket;
    let lowest = socket.bufferedAmount;
    let progressAt = Date.now();
    let pause = 1;
    while (socket.bufferedAmount > this.#highWaterMark) {
      if (socket.readyState !== WebSocket.OPEN || this.#queue.closed) {
        return false;
      }
      if (Date.now() - progressAt >= this.#writeWait) return false;
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 50);
      if (socket.bufferedAmount < lowest) {
        lowest = socket.bufferedAmount;
        progressAt = Date.now();
      }
    }
    return true;
  }

  /** Logs a close the peer started, unless it was a normal one (I5, D5). */
  #logClose(event: CloseEvent, error: string): void {
    if (!NORMAL_CLOSE.has(event.code)) {
      const reason = event.reason ? ` "${event.reason}"` : "";
      this.#log(`client closed with ${event.code}${reason}`);
    } else if (error && !DROPPED.test(error)) {
      this.#log(`client connection failed: ${error}`);
    }
  }

  /** Closes the connection for a cause of natter's own, and leaves. */
  #fail(close: CloseReason): void {
    if (this.#left) return;
    this.#log(`client closed by server: ${close.code} ${close.reason}`);
    this.#close(close);
    this.#leave();
  }

  /**
   * Closes the socket on the next turn of the event loop. Deno 2.9 drops the
   * close frame of a socket closed while it is still dispatching a batch of
   * inbound messages (the peer would see the connection end with no code),
   * so the close waits until that batch is done.
   */
  #close(close: CloseReason): void {
    this.#closing = true;
    // Nothing more is sent: a stalled peer's socket outlives its Client's
    // use by far, and must not keep the queued messages alive with it.
    this.#queue.close();
    this.#queue.discard();
    setTimeout(() => {
      if (this.#socket.readyState === WebSocket.OPEN) {
        this.#socket.close(close.code, close.reason);
      }
    }, 0);
  }

  /** Unregisters once, however many times the socket reports its close. */
  #leave(): void {
    if (this.#left) return;
    this.#left = true;
    if (this.#registering) {
      this.#registering.then(() => this.#unregister());
    } else if (this.#registered) {
      this.#unregister();
    } else {
      this.#queue.close();
    }
  }

  #unregister(): void {
    if (!this.#registered) return;
    const unregister = this.#hub.unregister;
    if (unregister.trySend(this)) return;
    // The Hub has closed (it released everyone) or is busy: then wait.
    unregister.send(this).catch(() => this.#queue.close());
  }
}
