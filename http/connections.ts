/**
 * The connection registry: one server's open connections, a Client for each
 * upgraded socket, under an id no other connection of the server has. It
 * gives the count `/metrics` reports, the lookup by id the server API kicks
 * through, and the wait for every connection to close at shutdown.
 *
 * @module
 */

import type { Identity } from "../auth/token.ts";
import { Client, type ClientOptions } from "../client.ts";
import type { Log } from "../util/log.ts";
import type { Rooms } from "../room/rooms.ts";
import type { ServerOptions } from "./server_options.ts";
import { withDefaults } from "../settings/with_defaults.ts";

/**
 * Options for {@linkcode Connections}: those every Client is given, and the
 * prefix of their ids.
 */
export type ConnectionsOptions =
  & Omit<ClientOptions, "onClose">
  & Pick<ServerOptions, "idPrefix">;

/** What a new connection is for. */
export interface Opening {
  /** The room a plain client joins; none for a natter.v1 client. */
  room?: string;
  /** Who its token says it is. */
  identity?: Identity;
}

/**
 * The open connections of one server.
 *
 * @example
 * ```ts
 * import { Rooms } from "../room/rooms.ts";
 * import { MemoryStore } from "../store/memory.ts";
 *
 * declare const socket: WebSocket; // just upgraded, not yet open
 * const rooms = new Rooms(new MemoryStore());
 * const connections = new Connections(rooms, { idPrefix: "ab12-" });
 * connections.open(socket, { room: "lobby" }); // its id is "ab12-1"
 * // The server API finds a connection by its id, to kick it:
 * connections.byId.get("ab12-1")?.kick({ code: 1008, reason: "bye" });
 * await connections.closed(); // once its socket has closed
 * ```
 */
export class Connections {
  readonly #rooms: Rooms;
  readonly #options: ClientOptions;
  readonly #prefix: string;
  readonly #log: Log;
  /** Sockets with a Client, until they close. */
  readonly #sockets = new Set<WebSocket>();
  readonly #clients = new Map<string, Client>();
  #opened = 0;

  /** An empty registry whose clients join `rooms`. */
  constructor(rooms: Rooms, options: ConnectionsOptions = {}) {
    this.#rooms = rooms;
    this.#prefix = options.idPrefix ?? randomPrefix();
    this.#log = options.log ?? (() => {});
    // One function for every socket, rather than a listener closure each.
    // Resolved once: each connection's Client and Session read this object
    // rather than copying every setting for themselves.
    this.#options = withDefaults({
      ...options,
      onClose: (socket: WebSocket, client: { readonly id: string }) => {
        this.#sockets.delete(socket);
        this.#clients.delete(client.id);
      },
    });
  }

  /** How many connections are open. */
  get size(): number {
    return this.#sockets.size;
  }

  /** The open connections by client id, for the server API. */
  get byId(): ReadonlyMap<string, Client> {
    return this.#clients;
  }

  /**
   * Serves `socket` with a new Client, counted until the socket closes.
   *
   * @returns the Client, or `undefined` when none could be made: that is
   * logged, and the socket is closed with 1011 once it opens.
   */
  open(socket: WebSocket, opening: Opening): Client | undefined {
    const id = this.#prefix + (++this.#opened).toString(36);
    try {
      const client = new Client(socket, {
        id,
        rooms: this.#rooms,
        room: opening.room,
        identity: opening.identity,
      }, this.#options);
      this.#sockets.add(socket);
      this.#clients.set(id, client);
      return client;
    } catch (error) {
      this.#log(
        `cannot serve connection ${id}: ${(error as Error)?.stack ?? error}`,
      );
      socket.addEventListener(
        "open",
        () => socket.close(1011, "internal error"),
        { once: true },
      );
      return undefined;
    }
  }

  /**
   * Resolves once every connection open now (its socket connecting or
   * open) has closed; those opened later are not waited for.
   */
  closed(): Promise<void> {
    const closing = [...this.#sockets]
      .filter((socket) => socket.readyState <= WebSocket.OPEN)
      .map((socket) =>
        new Promise((resolve) => {
          socket.addEventListener("close", resolve, { once: true });
        })
      );
    return Promise.all(closing).then(() => {});
  }
}

/** A short random prefix for connection ids: 4 base-36 characters and "-". */
function randomPrefix(): string {
  const n = crypto.getRandomValues(new Uint32Array(1))[0];
  return (n % 36 ** 4).toString(36).padStart(4, "0") + "-";
}
