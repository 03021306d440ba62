/**
 * The Client: one per connection, between its WebSocket and the Hubs of the
 * rooms it is in (A3), with exactly one reader and one writer (A4).
 *
 * The Client is the transport; the protocol is its {@linkcode Session}. A
 * plain connection (docs/contract.md) has a plain session: one
 * room, chosen by its path (R2). A natter.v1 connection has a natter.v1
 * session, which joins rooms by command. The Client reads
 * each text frame into its session, queues what the Hubs and the session
 * offer in a bounded {@linkcode Outbox}, and its {@linkcode Writer} sends
 * everything queued as one frame (O1, S3). It decides how the connection
 * ends: the close the room or the session asked for, after what is queued.
 *
 * A Client holds no closures and no suspended async function while idle: it
 * is the socket's event listener itself, and its writer is a method queued as
 * a microtask when there is something to write. Thousands of idle
 * connections cost little more than Deno's own sockets.
 *
 * @module
 */

import type { ClientOptions, Connection } from "./connection/client_options.ts";
import { logClose, logEviction } from "./connection/close_log.ts";
import { type DeadlineOwner, Deadlines } from "./connection/deadlines.ts";
import { closeSoon } from "./connection/close_soon.ts";
import type { Link, Session } from "./connection/link.ts";
import { Outbox } from "./connection/outbox.ts";
import { Writer, type WriterOwner } from "./connection/writer.ts";
import { EVENTS } from "./protocol/events.ts";
import { LINES } from "./protocol/lines.ts";
import { openSession } from "./protocol/open_session.ts";
import { Batch } from "./room/batch.ts";
import {
  BINARY,
  type CloseReason,
  INTERNAL_ERROR,
  QUEUE_FULL,
  WRITE_TIMEOUT,
} from "./util/close_reasons.ts";
import type { Log } from "./util/log.ts";
import { type Meter, NO_METER } from "./util/meter.ts";
import { withDefaults } from "./settings/with_defaults.ts";

export type { ClientOptions, Connection } from "./connection/client_options.ts";

/**
 * One connection's Client. It opens its session when the socket opens and
 * leaves with it when the socket closes or the Client gives up on it.
 *
 * @example
 * ```ts
 * import { Rooms } from "./room/rooms.ts";
 * import { MemoryStore } from "./store/memory.ts";
 * declare const request: Request;
 *
 * const rooms = new Rooms(new MemoryStore());
 * const { socket, response } = Deno.upgradeWebSocket(request);
 * new Client(socket, { id: "c1", rooms, room: "lobby" });
 * ```
 */
export class Client
  implements Link, WriterOwner, DeadlineOwner, EventListenerObject {
  /** This connection's id (E1). */
  readonly id: string;
  readonly #socket: WebSocket;
  readonly #queue: Outbox;
  readonly #writer: Writer;
  readonly #session: Session;
  readonly #log: Log;
  readonly #meter: Meter;
  readonly #deadlines: Deadlines;
  readonly #onClose?: (socket: WebSocket, client: Client) => void;
  #released?: CloseReason;
  #left = false;
  #closing = false;
  #error = "";

  /** Attaches a Client to `socket`, a server-side WebSocket not yet open. */
  constructor(
    socket: WebSocket,
    connection: Connection,
    options: ClientOptions = {},
  ) {
    this.id = connection.id;
    this.#socket = socket;
    const plain = connection.room !== undefined;
    const o = withDefaults(options);
    this.#queue = new Outbox(o.queueSize, plain ? LINES : EVENTS, {
      maxBytes: o.queueBytes,
    });
    this.#writer = new Writer(socket, this.#queue, this, {
      highWaterMark: o.highWaterMark,
      writeWait: o.writeWait,
    });
    this.#session = openSession(this, connection, options);
    this.#log = options.log ?? (() => {});
    this.#meter = options.meter ?? NO_METER;
    this.#deadlines = new Deadlines({
      firstFrameTimeout: o.firstFrameTimeout,
      expires: connection.identity?.expires,
    }, this);
    this.#onClose = options.onClose;
    socket.binaryType = "arraybuffer";
    for (const type of ["open", "message", "error", "close"]) {
      socket.addEventListener(type, this);
    }
  }

  /** Whether natter is closing the connection: nothing more is sent. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Queues what fits of `batch` without waiting; `false` when full. */
  offer(batch: Batch): boolean {
    const fits = this.#queue.offer(batch);
    this.#writer.schedule();
    return fits;
  }

  /**
   * Queues notices for this client alone, such as a reply; a client whose
   * queue cannot take them is closed as a full queue (A5).
   */
  reply(...notices: string[]): void {
    if (this.#left || this.#closing) return;
    try {
      if (!this.offer(Batch.of(...notices))) this.release(QUEUE_FULL);
    } catch (error) {
      this.crash(error);
    }
  }

  /** The rooms this connection is in (or joining). */
  rooms(): string[] {
    return this.#session.rooms();
  }

  /** Closes the connection for a cause of the server's, such as the API's. */
  kick(close: CloseReason): void {
    this.#fail(close);
  }

  /** Closes the connection now: its session or a room refused what it sent. */
  refuse(close: CloseReason): void {
    this.#fail(close);
  }

  /** Lets the writer finish what is queued, then close with `close`. */
  release(close?: CloseReason): void {
    // The first reason stands: at shutdown every room's Hub releases a
    // natter.v1 client, and the later ones find its queue already closed.
    this.#released ??= close;
    this.#queue.close();
    this.#writer.schedule();
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
      this.crash(error);
    }
  }

  /**
   * The writer's: everything queued was handed over, so the connection
   * closes as it was released, if it was told a close.
   * @internal
   */
  finished(): void {
    const close = this.#released;
    if (!close || this.#closing) return;
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    if (close.code !== 1001) {
      this.#meter.evicted(close.reason);
      logEviction(this.#log, close, this.#socket.bufferedAmount);
    }
    this.#close(close);
  }

  /**
   * The writer's: the socket did not drain in time (K3). A released client
   * closes as it was told; any other is given up on.
   * @internal
   */
  stalled(): void {
    if (!this.#released) return this.#fail(WRITE_TIMEOUT);
    this.finished();
  }

  /**
   * Ends the connection after an error of natter's own in its handling:
   * 1011, logged once with its stack and counted. The process goes on.
   * @internal
   */
  crash(error: unknown): void {
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

  /**
   * The deadlines': one passed. From a timer: an error ends the connection.
   * @internal
   */
  timedOut(close: CloseReason): void {
    try {
      this.#fail(close);
    } catch (error) {
      this.crash(error);
    }
  }

  #handle(event: Event): void {
    switch (event.type) {
      case "open":
        this.#deadlines.start();
        return this.#session.open();
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
          logClose(this.#log, event as CloseEvent, this.#error);
        }
        this.#onClose?.(this.#socket, this);
        return this.#leave();
    }
  }

  #read(data: unknown): void {
    if (this.#left) return;
    this.#deadlines.framed();
    if (typeof data !== "string") return this.#fail(BINARY);
    this.#session.read(data);
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

  /** Closes the socket, and sends nothing more (see close_soon.ts). */
  #close(close: CloseReason): void {
    this.#closing = true;
    // A stalled peer's socket outlives its Client's use by far, and must not
    // keep the queued messages alive with it.
    this.#queue.close();
    this.#queue.discard();
    closeSoon(this.#socket, close);
  }

  /** Leaves every room once, however many times the socket reports its close. */
  #leave(): void {
    if (this.#left) return;
    this.#left = true;
    this.#deadlines.stop();
    this.#session.leave();
  }
}
