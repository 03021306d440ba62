/**
 * The Client: one per connection, between its WebSocket and the Hub (A3), with
 * exactly one reader and one writer (A4).
 *
 * The read side checks and normalises each inbound message and forwards it to
 * the Hub's broadcast channel. The write side waits for the bounded queue the
 * Hub offers to, takes everything queued at once and sends it as one frame
 * (O1), and stops sending to a socket that does not drain (O3).
 *
 * @module
 */

import { Channel } from "./channel.ts";
import {
  type CloseReason,
  GOING_AWAY,
  type Hub,
  type Subscriber,
} from "./hub.ts";
import { exceedsUtf8, normalize } from "./message.ts";

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
   * @default {262144}
   */
  highWaterMark?: number;
  /**
   * How many inbound messages may wait for room in the Hub's broadcast channel
   * before the sender is closed with 1008 for sending too fast.
   * @default {64}
   */
  maxPending?: number;
  /** Where to report closes that are not a peer's normal leaving. */
  log?: (line: string) => void;
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
const TOO_FAST: CloseReason = { code: 1008, reason: "sending too fast" };

/**
 * One connection's Client. It registers with the Hub when the socket opens
 * and unregisters when the socket closes or the Client gives up on it.
 */
export class Client implements Subscriber {
  readonly #socket: WebSocket;
  readonly #hub: Hub;
  readonly #queue: Channel<string>;
  readonly #maxMessageSize: number;
  readonly #writeWait: number;
  readonly #highWaterMark: number;
  readonly #maxPending: number;
  readonly #log: (line: string) => void;
  #registration?: Promise<void>;
  #released?: CloseReason;
  #left = false;
  #closing = false;
  #pending = 0;

  /** Attaches a Client to `socket`, a server-side WebSocket not yet open. */
  constructor(socket: WebSocket, hub: Hub, options: ClientOptions = {}) {
    this.#socket = socket;
    this.#hub = hub;
    this.#queue = new Channel(options.queueSize ?? 256);
    this.#maxMessageSize = options.maxMessageSize ?? 512;
    this.#writeWait = options.writeWait ?? 10_000;
    this.#highWaterMark = options.highWaterMark ?? 256 * 1024;
    this.#maxPending = options.maxPending ?? 64;
    this.#log = options.log ?? (() => {});
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      this.#registration = hub.register.send(this);
      // The Hub is closing: this socket opened too late to be told by it.
      this.#registration.catch(() => this.release(GOING_AWAY));
    };
    socket.onmessage = (event) => this.#read(event.data);
    // Deno reports a protocol error (bad frame, invalid UTF-8) as an error
    // event, then a close with code 0; a dropped connection looks the same
    // but for the error's message.
    let error = "";
    socket.onerror = (event) => {
      error = (event as ErrorEvent).message ?? "";
    };
    socket.onclose = (event) => {
      // A close natter started was logged when it started.
      if (!this.#left && !this.#closing) this.#logClose(event, error);
      this.#leave();
    };
    this.#write();
  }

  /** Queues an outbound message without waiting; `false` when full. */
  offer(message: string): boolean {
    return this.#queue.trySend(message);
  }

  /** Lets the writer finish what is queued, then close as the Hub says. */
  release(close?: CloseReason): void {
    this.#released = close;
    this.#queue.close();
  }

  #read(data: unknown): void {
    if (this.#left) return;
    if (typeof data !== "string") return this.#fail(BINARY);
    if (exceedsUtf8(data, this.#maxMessageSize)) return this.#fail(TOO_BIG);
    const message = normalize(data);
    const broadcast = this.#hub.broadcast;
    // Once one message waits for room, later ones queue behind it in order.
    if (this.#pending === 0 && broadcast.trySend(message)) return;
    if (this.#pending >= this.#maxPending) return this.#fail(TOO_FAST);
    this.#pending++;
    broadcast.send(message).then(() => this.#pending--, () => {});
  }

  async #write(): Promise<void> {
    const socket = this.#socket;
    while (await this.#queue.wait()) {
      if (socket.readyState !== WebSocket.OPEN) return;
      if (
        socket.bufferedAmount > this.#highWaterMark && !(await this.#drained())
      ) {
        if (!this.#released) this.#fail(WRITE_TIMEOUT);
        break;
      }
      const batch = this.#queue.takeAll();
      socket.send(batch.length === 1 ? batch[0] : batch.join("\n"));
    }
    const close = this.#released;
    if (close && socket.readyState === WebSocket.OPEN) {
      if (close.code !== 1001) this.#log(`client evicted: ${close.reason}`);
      this.#close(close);
    }
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
    const registration = this.#registration;
    if (!registration) {
      this.#queue.close();
      return;
    }
    registration
      .then(() => this.#hub.unregister.send(this))
      .catch(() => this.#queue.close());
  }
}
