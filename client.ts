/**
 * The Client: one per connection, between its WebSocket and the Hubs of the
 * rooms it is in (A3), with exactly one reader and one writer (A4).
 *
 * A plain-mode Client (docs/contract.md) is a member of one room, chosen by its
 * path (R2): the read side checks and normalises each inbound message and
 * forwards it to the room's Hub. A natter.v1 Client hands each frame to its
 * {@linkcode Session}, which may join several rooms over the one socket.
 * The write side runs once a Hub has offered to the Client's bounded queue,
 * takes everything queued at once and sends it as one frame (O1, S3), and
 * stops sending to a socket that does not drain (O3).
 *
 * A Client holds no closures and no suspended async function while idle: it
 * is the socket's event listener itself, and its writer is a method queued as
 * a microtask when there is something to write. Thousands of idle
 * connections cost little more than Deno's own sockets.
 *
 * @module
 */

import { Batch } from "./room/batch.ts";
import {
  BINARY,
  type CloseReason,
  GOING_AWAY,
  INTERNAL_ERROR,
  QUEUE_FULL,
  RATE_LIMITED,
  SILENT,
  TOKEN_EXPIRED,
  TOO_BIG,
  TOO_MANY_ROOMS,
  WRITE_TIMEOUT,
} from "./util/close_reasons.ts";
import type { Hub, Inbound, Subscriber } from "./hub.ts";
import { DrainWatch } from "./connection/drain_watch.ts";
import type { Speaker } from "./room/intake.ts";
import { TokenBucket } from "./util/bucket.ts";
import type { Log } from "./util/log.ts";
import { exceedsUtf8, normalize } from "./util/message.ts";
import { type Meter, NO_METER } from "./util/meter.ts";
import { Outbox } from "./connection/outbox.ts";
import { Session } from "./protocol/session.ts";
import type { Rooms } from "./room/rooms.ts";
import type { Member } from "./store/store.ts";
import type { ClientOptions, Connection } from "./connection/client_options.ts";

export type { ClientOptions, Connection } from "./connection/client_options.ts";

/** Leaving, going away, no status, or a dropped connection: not errors (I5). */
const NORMAL_CLOSE = new Set([0, 1000, 1001, 1005, 1006]);
/** Error messages of a connection that merely went away. */
const DROPPED = /EOF|os error|reset|broken pipe/i;

/** Watches the sockets of every Client that is waiting for a drain (O3). */
const DRAINS = new DrainWatch();

/** Where the writer is: nothing to do, queued as a microtask, or paused. */
const IDLE = 0, SCHEDULED = 1, DRAINING = 2;

/**
 * One connection's Client. In plain mode it registers with its room's Hub
 * when the socket opens and unregisters when the socket closes or the Client
 * gives up on it; in natter.v1 its Session does so for each room.
 */
export class Client implements Subscriber, Speaker, EventListenerObject {
  readonly #socket: WebSocket;
  readonly #queue: Outbox;
  /** A plain client's room; its Hub once it is open. */
  readonly #room?: string;
  #hub?: Hub;
  readonly #rooms: Rooms;
  /** Who this connection is in a plain room. */
  readonly #member: Member;
  readonly #session?: Session;
  readonly #maxMessageSize: number;
  readonly #writeWait: number;
  readonly #highWaterMark: number;
  readonly #log: Log;
  readonly #meter: Meter;
  readonly #bucket?: TokenBucket;
  #firstFrame?: ReturnType<typeof setTimeout>;
  readonly #firstFrameTimeout: number;
  /** When the connection's token expires, in ms since the Unix epoch. */
  readonly #expires?: number;
  #expiry?: ReturnType<typeof setTimeout>;
  readonly #onClose?: (socket: WebSocket, client: Client) => void;
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
  constructor(
    socket: WebSocket,
    connection: Connection,
    options: ClientOptions = {},
  ) {
    this.#socket = socket;
    this.#rooms = connection.rooms;
    this.#room = connection.room;
    const user = connection.identity?.user;
    this.#member = user === undefined
      ? { client: connection.id, nick: null }
      : { client: connection.id, nick: null, user };
    const structured = connection.room === undefined;
    this.#queue = new Outbox(options.queueSize ?? 256, {
      events: structured,
      maxBytes: options.queueBytes ?? 1024 * 1024,
    });
    if (structured) {
      this.#session = new Session(connection.id, connection.rooms, {
        ...options,
        client: this,
        identity: connection.identity,
      });
    }
    this.#maxMessageSize = options.maxMessageSize ?? 512;
    this.#writeWait = options.writeWait ?? 10_000;
    this.#highWaterMark = options.highWaterMark ?? 64 * 1024;
    this.#log = options.log ?? (() => {});
    this.#meter = options.meter ?? NO_METER;
    this.#firstFrameTimeout = options.firstFrameTimeout ?? 0;
    const rate = options.rateLimit ?? 0;
    if (rate > 0) {
      // An unset burst (or 0, "unset" in the configuration) is the rate.
      this.#bucket = new TokenBucket(
        rate,
        options.rateBurst || Math.max(1, rate),
      );
    }
    this.#expires = connection.identity?.expires;
    this.#onClose = options.onClose;
    socket.binaryType = "arraybuffer";
    for (const type of ["open", "message", "error", "close"]) {
      socket.addEventListener(type, this);
    }
  }

  /** This connection's id (E1). */
  get id(): string {
    return this.#member.client;
  }

  /** Queues what fits of `batch` without waiting; `false` when full. */
  offer(batch: Batch): boolean {
    const fits = this.#queue.offer(batch);
    this.#schedule();
    return fits;
  }

  /**
   * Queues events for this natter.v1 client alone, such as a reply; a client
   * whose queue cannot take them is closed as a full queue (A5).
   */
  reply(...events: string[]): void {
    if (this.#left || this.#closing) return;
    try {
      if (!this.offer(Batch.of(...events))) this.release(QUEUE_FULL);
    } catch (error) {
      this.#crash(error);
    }
  }

  /**
   * Forwards a message to a room's Hub, in the order the client sent it:
   * into its channel, or waiting its turn in the Hub's intake, which closes
   * the heaviest sender with 1008 when too many wait (see intake.ts).
   */
  forward(hub: Hub, inbound: Inbound): void {
    hub.intake.offer(this, inbound);
  }

  /**
   * Whether the connection may send one more message now (`--rate-limit`);
   * a plain client over the limit is closed with 1008.
   */
  allowMessage(): boolean {
    return this.#bucket?.take() ?? true;
  }

  /** The rooms this connection is in (or joining). */
  rooms(): string[] {
    if (this.#session) return this.#session.rooms();
    return this.#room === undefined ? [] : [this.#room];
  }

  /** Closes the connection for a cause of the server's, such as the API's. */
  kick(close: CloseReason): void {
    this.#fail(close);
  }

  /**
   * Closes the connection: it sent too much (the intake), or kept sending
   * what its budgets refuse (its Session).
   */
  refuse(close: CloseReason): void {
    this.#fail(close);
  }

  /** Lets the writer finish what is queued, then close as the Hub says. */
  release(close?: CloseReason): void {
    // The first reason stands: at shutdown every room's Hub releases a
    // natter.v1 client, and the later ones find its queue already closed.
    this.#released ??= close;
    this.#queue.close();
    this.#schedule();
  }

  /**
   * The socket's events. Not for callers: the Client is its socket's event
   * listener so that it needs no closure per connection.
   * @internal
   */
  handleEvent(event: Event): void {
    // An error in one connection ends that connection, never the process.
    try {
      this.#handle(event);
    } catch (error) {
      this.#crash(error);
    }
  }

  #handle(event: Event): void {
    switch (event.type) {
      case "open":
        if (this.#firstFrameTimeout > 0) {
          this.#firstFrame = setTimeout(
            () => this.#fail(SILENT),
            this.#firstFrameTimeout,
          );
        }
        this.#watchExpiry();
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
        this.#onClose?.(this.#socket, this);
        return this.#leave();
    }
  }

  #register(): void {
    if (this.#room === undefined) return;
    const hub = this.#rooms.get(this.#room);
    if (!hub) return this.release(TOO_MANY_ROOMS);
    this.#hub = hub;
    const register = hub.register;
    const join = { subscriber: this, member: this.#member };
    if (register.trySend(join)) {
      this.#registered = true;
      return;
    }
    // The Hub is closing: this socket opened too late to be told by it.
    if (register.closed) return this.release(GOING_AWAY);
    this.#registering = register.send(join).then(
      () => {
        this.#registered = true;
      },
      () => this.release(GOING_AWAY),
    );
  }

  #read(data: unknown): void {
    if (this.#left) return;
    if (this.#firstFrame !== undefined) {
      clearTimeout(this.#firstFrame);
      this.#firstFrame = undefined;
    }
    if (typeof data !== "string") return this.#fail(BINARY);
    if (this.#session) return this.#session.read(data);
    if (exceedsUtf8(data, this.#maxMessageSize)) return this.#fail(TOO_BIG);
    // A message sent before the Hub took the registration still goes to it:
    // the channel keeps the order, registration first.
    if (!this.#hub) return;
    if (this.#bucket && !this.#bucket.take()) return this.#fail(RATE_LIMITED);
    const text = normalize(data);
    this.forward(this.#hub, {
      text,
      from: this.#member,
      sender: this,
      at: performance.now(),
    });
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
    try {
      this.#writeOut();
    } catch (error) {
      this.#crash(error);
    }
  };

  #writeOut(): void {
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
  }

  /** Closes as the Hub said when it released this client, if it said so. */
  #closeReleased(): void {
    const close = this.#released;
    if (!close || this.#closing) return;
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    if (close.code !== 1001) {
      // What Deno still holds for this peer: it cannot be dropped, only
      // stopped from growing (O3).
      const unsent = this.#socket.bufferedAmount;
      this.#meter.evicted(close.reason);
      this.#log(
        `client evicted: ${close.reason} (${unsent} bytes unsent)`,
        { event: "evicted", code: close.code, reason: close.reason, unsent },
        "warning",
      );
    }
    this.#close(close);
  }

  /**
   * Waits until the socket's unsent bytes fall to the high-water mark, as
   * the one {@linkcode DrainWatch} of every Client sees it: within a
   * millisecond or so, with no timer of its own.
   *
   * A client the Hub releases meanwhile keeps waiting: while its socket
   * drains, what was queued for it is still handed over before the close
   * (O2).
   *
   * @returns `false` if they made no progress for the write wait, or the
   * socket closed, or natter is closing it.
   */
  #drained(): Promise<boolean> {
    return DRAINS.wait(this.#socket, {
      mark: this.#highWaterMark,
      writeWait: this.#writeWait,
      stop: () => this.#closing,
    });
  }

  /** Logs a close the peer started, unless it was a normal one (I5, D5). */
  #logClose(event: CloseEvent, error: string): void {
    if (!NORMAL_CLOSE.has(event.code)) {
      // The peer's words: quoted as JSON, so that no newline of theirs can
      // start a log line of its own.
      const reason = event.reason ? ` ${JSON.stringify(event.reason)}` : "";
      this.#log(`client closed with ${event.code}${reason}`, {
        event: "client_close",
        code: event.code,
        reason: event.reason,
      });
    } else if (error && !DROPPED.test(error)) {
      this.#log(
        `client connection failed: ${JSON.stringify(error)}`,
        { event: "client_error", reason: error },
        "warning",
      );
    }
  }

  /** Closes the connection for a cause of natter's own, and leaves. */
  #fail(close: CloseReason): void {
    if (this.#left) return;
    this.#meter.evicted(close.reason);
    this.#log(`client closed by server: ${close.code} ${close.reason}`, {
      event: "server_close",
      code: close.code,
      reason: close.reason,
    });
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
      if (this.#socket.readyState !== WebSocket.OPEN) return;
      try {
        this.#socket.close(close.code, close.reason);
      } catch {
        // A reason Deno refuses (over 123 bytes) must not keep it open.
        this.#socket.close(close.code);
      }
    }, 0);
  }

  /**
   * Ends the connection after an error of natter's own in its handling:
   * 1011, logged once with its stack and counted. The process goes on.
   */
  #crash(error: unknown): void {
    if (this.#left || this.#closing) return;
    this.#meter.internalError();
    this.#log(
      `internal error on connection ${this.id}: ${
        (error as Error)?.stack ?? String(error)
      }`,
      { event: "internal_error", client: this.id },
      "error",
    );
    try {
      this.#fail(INTERNAL_ERROR);
    } catch {
      // Leave the socket to its idle timeout rather than the process.
    }
  }

  /** Closes the connection with 1008 when its token expires. */
  #watchExpiry(): void {
    const expires = this.#expires;
    if (expires === undefined) return;
    // setTimeout takes at most 2^31 - 1 ms (24.8 days): look again then.
    const wait = Math.min(expires - Date.now(), 2 ** 31 - 1);
    if (wait <= 0) return this.#fail(TOKEN_EXPIRED);
    this.#expiry = setTimeout(() => {
      try {
        this.#watchExpiry();
      } catch (error) {
        this.#crash(error);
      }
    }, wait);
  }

  /** Unregisters once, however many times the socket reports its close. */
  #leave(): void {
    if (this.#left) return;
    this.#left = true;
    clearTimeout(this.#firstFrame);
    clearTimeout(this.#expiry);
    if (this.#session) {
      this.#session.leaveAll();
      this.#queue.close();
    } else if (this.#registering) {
      this.#registering.then(() => this.#unregister());
    } else if (this.#registered) {
      this.#unregister();
    } else {
      this.#queue.close();
    }
  }

  #unregister(): void {
    if (!this.#registered || !this.#hub) return;
    const unregister = this.#hub.unregister;
    if (unregister.trySend(this)) return;
    // The Hub has closed (it released everyone) or is busy: then wait.
    unregister.send(this).catch(() => this.#queue.close());
  }
}
