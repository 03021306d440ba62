/**
 * A natter client: one natter.v1 connection, kept up across drops, and the
 * rooms joined on it. It numbers the commands, hands each answer to the
 * room that asked, rejoins every room after a reconnect, and holds back a
 * budget the server said was spent.
 *
 * @module
 */

import { Connection, type ConnectionOptions } from "./connection.ts";
import { ClosedError, isErrorCode, NatterError } from "./errors.ts";
import type { ErrorEvent, ServerEvent } from "./frames.ts";
import type { PendingCommand } from "./pending_command.ts";
import { Room } from "./room.ts";
import type { JoinOptions } from "./room_events.ts";
import { Throttle } from "./throttle.ts";
import { TypedTarget } from "./typed_target.ts";
import type { RoomPort, Wire } from "./wire.ts";

/** Options for {@linkcode connect}. */
export type ConnectOptions = ConnectionOptions;

/** Why a socket closed. */
export interface Drop {
  /** The close code (1006 when the connection just broke). */
  readonly code: number;
  /** The server's reason, if it gave one. */
  readonly reason: string;
}

/** The events a {@linkcode NatterClient} dispatches. */
export interface ClientEventMap {
  /** A socket opened (again); the rooms are being rejoined. */
  open: CustomEvent<undefined>;
  /** The socket dropped; another will be tried after a wait. */
  close: CustomEvent<Drop>;
  /** The server refused something that answers no command of ours. */
  error: CustomEvent<NatterError>;
}

/** A command sent and not yet answered. */
interface InFlight {
  readonly request: PendingCommand;
  readonly port: RoomPort;
  /** The size of its frame in bytes of UTF-8. */
  readonly bytes: number;
}

/**
 * The smallest command limit a natter server has, in bytes: a refusal of a
 * larger frame with no id (`too_big`) is for the oldest frame past it.
 */
const COMMAND_LIMIT = 4096;
/** The smallest frame size at which a natter server closes with 1009. */
const CLOSE_LIMIT = 16 * COMMAND_LIMIT;

/** The longest server error message kept, in UTF-16 code units. */
const MAX_ERROR_MESSAGE = 1000;

/**
 * A connection to natter and the rooms joined on it. Made by
 * {@linkcode connect}.
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 *
 * await using client = await connect("ws://localhost:8080/ws");
 * client.addEventListener("close", (event) => {
 *   console.log(`dropped (${event.detail.code}); reconnecting`);
 * });
 * const room = await client.join("lobby", { nick: "ada" });
 * await room.send("hello");
 * ```
 */
export class NatterClient extends TypedTarget<ClientEventMap>
  implements AsyncDisposable {
  readonly #connection: Connection;
  readonly #throttle: Throttle;
  readonly #rooms = new Map<string, { room: Room; port: RoomPort }>();
  readonly #inFlight = new Map<number, InFlight>();
  readonly #own = new Set<string>();
  #nextId = 0;
  #closed = false;

  /** A client for `url` that has not connected yet; see {@linkcode connect}. */
  constructor(url: string | URL, options: ConnectOptions = {}) {
    super();
    this.#connection = new Connection(url, options, {
      open: () => {
        this.emit("open", undefined);
        this.#flush();
      },
      events: (events) => {
        for (const event of events) this.#event(event);
      },
      down: (code, reason) => {
        if (code === 1009) this.#tooBig(CLOSE_LIMIT, reason);
        this.#inFlight.clear();
        this.#throttle.dropped();
        for (const { port } of this.#rooms.values()) port.down();
        this.emit("close", { code, reason });
      },
    });
    this.#throttle = new Throttle(() => this.#flush(), options.backoff);
  }

  /** Opens the first socket; rejects when it cannot. */
  start(): Promise<void> {
    return this.#connection.start();
  }

  /** Whether a socket is open now. */
  get connected(): boolean {
    return this.#connection.open;
  }

  /** The rooms joined or being joined, by name. */
  get rooms(): ReadonlyMap<string, Room> {
    return new Map([...this.#rooms].map(([name, { room }]) => [name, room]));
  }

  /**
   * Joins `room`. Resolves once the server has answered, with the room's
   * backlog and members; rejects with a {@linkcode NatterError} when it
   * refuses (`invalid_room`, `invalid_nick`, `room_full`, ...).
   */
  join(room: string, options: JoinOptions = {}): Promise<Room> {
    if (this.#closed) {
      return Promise.reject(new ClosedError("The client was closed"));
    }
    if (this.#rooms.has(room)) {
      return Promise.reject(
        new NatterError("already_joined", `Already in room "${room}"`),
      );
    }
    const joined = new Room(room, options, this.#wire);
    this.#rooms.get(room)?.port.flush();
    return joined.ready;
  }

  /**
   * Closes the connection for good: the rooms' loops end, and what waits
   * for an answer is rejected with a {@linkcode ClosedError}.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connection.close();
    this.#throttle.close();
    this.#inFlight.clear();
    const error = new ClosedError("The client was closed");
    for (const { port } of [...this.#rooms.values()]) port.end(error);
  }

  /** The same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  readonly #wire: Wire = {
    attach: (room, port) => this.#rooms.set(room.name, { room, port }),
    trySend: (request) => {
      const entry = this.#rooms.get(request.command.room);
      if (this.#closed || !entry || !this.#throttle.admits(request.budget)) {
        return;
      }
      const id = ++this.#nextId;
      const frame = JSON.stringify({ ...request.command, id });
      if (!this.#connection.send(frame)) return;
      request.id = id;
      this.#throttle.sent(request.budget);
      // Three bytes of UTF-8 at most per UTF-16 code unit: most frames are
      // known to be small without encoding them.
      const bytes = frame.length * 3 <= COMMAND_LIMIT
        ? frame.length
        : new TextEncoder().encode(frame).length;
      this.#inFlight.set(id, { request, port: entry.port, bytes });
    },
    own: (client) => this.#own.add(client),
    isOwn: (client) => this.#own.has(client),
    forget: (room) => {
      if (this.#rooms.get(room.name)?.room === room) {
        this.#rooms.delete(room.name);
      }
    },
  };

  #refuse(id: number, entry: InFlight, error: NatterError): void {
    this.#inFlight.delete(id);
    entry.port.refuse(entry.request, error);
    // A spent budget, or a server that cannot now: hold back, whether or
    // not this command is tried again.
    if (error.code === "rate_limited" || error.code === "unavailable") {
      this.#throttle.refused(entry.request.budget);
    } else this.#throttle.granted(entry.request.budget);
  }

  /**
   * Refuses, as `too_big`, the oldest command in flight whose frame is over
   * `limit` bytes, so that it is not sent again; whether there was one.
   */
  #tooBig(limit: number, message: string): boolean {
    for (const [id, entry] of this.#inFlight) {
      if (entry.bytes <= limit) continue;
      const error = new NatterError("too_big", message.slice(0, 1000));
      this.#refuse(id, entry, error);
      return true;
    }
    return false;
  }

  #flush(): void {
    for (const { port } of [...this.#rooms.values()]) port.flush();
  }

  #event(event: ServerEvent): void {
    if (event.type === "message" || event.type === "presence") {
      return this.#rooms.get(event.room)?.port.event(event);
    }
    const id = typeof event.id === "number" ? event.id : undefined;
    const entry = id === undefined ? undefined : this.#inFlight.get(id);
    if (event.type === "error") {
      const error = toError(event);
      if (entry) return this.#refuse(id!, entry, error);
      // A frame past the command limit is refused unread, so with no id.
      if (event.id === undefined && error.code === "too_big") {
        if (this.#tooBig(COMMAND_LIMIT, error.message)) return;
      }
      return this.emit("error", error);
    }
    // An answer that matches no command of ours is not believed.
    if (
      !entry || entry.request.answerType !== event.type ||
      entry.request.command.room !== event.room
    ) return;
    this.#inFlight.delete(id!);
    this.#throttle.granted(entry.request.budget);
    entry.port.answer(entry.request, event);
  }
}

/**
 * Connects to natter's WebSocket endpoint `url` (`ws://host/ws` or
 * `wss://`) with natter.v1. Resolves once the first socket is open; rejects
 * when it cannot open. After that, a dropped socket is replaced after a
 * jittered wait that grows with each failure, and every room is rejoined
 * from the last message seen.
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 *
 * const client = await connect("wss://chat.example.com/ws", {
 *   token: "eyJhbGciOi...",
 *   backoff: { initial: 1000, max: 60_000 },
 * });
 * client.close();
 * ```
 */
export async function connect(
  url: string | URL,
  options: ConnectOptions = {},
): Promise<NatterClient> {
  const client = new NatterClient(url, options);
  await client.start();
  return client;
}

/**
 * The error an `error` event stands for. A code this client does not know
 * is read as `bad_request`, a refusal not to be tried again, and named in
 * the message.
 */
function toError(event: ErrorEvent): NatterError {
  const message = event.message.slice(0, MAX_ERROR_MESSAGE);
  if (isErrorCode(event.code)) return new NatterError(event.code, message);
  const code = event.code.slice(0, 64);
  return new NatterError("bad_request", `${message} (code "${code}")`);
}
