/**
 * What a natter is made with and what it offers, whether it runs on its own
 * listener (`serve`) or is mounted in someone else's server
 * (`createNatter`): its options, each with its default, and the
 * {@linkcode NatterApp} it returns.
 *
 * @module
 */

import type { Verifier } from "../auth/token.ts";
import type { ClientOptions } from "../connection/client_options.ts";
import type { CloseReason } from "../util/close_reasons.ts";
import type { IpSlots } from "./listen/ip_slots.ts";
import type { RequestInfo } from "./listen/listen_options.ts";
import type {
  HistoryMessage,
  HistoryOptions,
  PublishOptions,
  RemoveOptions,
  RoomSummary,
} from "../ops/operations.ts";
import type { RoomsOptions } from "../room/rooms.ts";
import type { MemoryStoreOptions } from "../store/memory.ts";
import type { Store } from "../store/store.ts";

/** Turns a request into a WebSocket, as `Deno.upgradeWebSocket` does. */
export type Upgrade = (
  request: Request,
  options: Deno.UpgradeWebSocketOptions,
) => Deno.WebSocketUpgrade;

/** Options for `createNatter`: everything above the listener. */
export interface NatterOptions
  extends
    Omit<ClientOptions, "onClose" | "meter">,
    Omit<RoomsOptions, "log" | "maxBatch">,
    Omit<MemoryStoreOptions, "now"> {
  /**
   * The path natter is served under: with `/chat`, the page is at `/chat/`
   * and `/chat/r/{room}`, WebSockets at `/chat/ws` and `/chat/ws/{room}`,
   * the operations endpoints at `/chat/healthz` and so on. It starts with
   * `/`, has no trailing `/`, and its segments are `A-Z a-z 0-9 . _ ~ -`
   * (no `.` or `..`).
   * @default {"" (the root)}
   */
  prefix?: string;
  /**
   * How a request becomes a WebSocket.
   * @default {Deno.upgradeWebSocket}
   */
  upgrade?: Upgrade;
  /**
   * Origins allowed besides the request's own host (H5); `*` allows all.
   * @default {[]}
   */
  allowOrigins?: readonly string[];
  /**
   * Seconds a connection may stay silent: Deno pings it after half of this
   * and drops it at this if no pong came (K4, K5, O4).
   * @default {60}
   */
  idleTimeout?: number;
  /**
   * Milliseconds closing natter waits for connections to close before it
   * gives up on the stragglers.
   * @default {5000}
   */
  shutdownTimeout?: number;
  /**
   * Where rooms, history and presence live.
   * @default {a MemoryStore with the history options}
   */
  store?: Store;
  /**
   * Prefixes every connection id this natter gives out, so that ids from
   * several servers sharing a store never collide.
   * @default {random}
   */
  idPrefix?: string;
  /**
   * Checks connection tokens (`--jwt-secret`, `--jwt-public-key`): with it,
   * every upgrade needs a valid token, or gets 401.
   */
  verifier?: Verifier;
  /**
   * The most open connections from one IP address; beyond, 429 before the
   * upgrade. Off when 0.
   * @default {0}
   */
  maxConnectionsPerIp?: number;
  /**
   * WebSocket handshakes accepted per second, all clients together; the
   * excess is answered 503 with `Retry-After`. Off when 0.
   * @default {0}
   */
  acceptRate?: number;
  /**
   * Milliseconds over which a drained natter (see `drain()`) closes its
   * clients, in batches, when it shuts down; the shutdown's deadline grows
   * by as much. 0 closes them all at once.
   * @default {5000}
   */
  drainWindow?: number;
  /**
   * Where connections per IP address are counted against
   * `maxConnectionsPerIp`: the workers of a cluster share the main thread's
   * count.
   * @default {this natter's own count, when `maxConnectionsPerIp` is set}
   */
  ipSlots?: IpSlots;
  /** The bearer token `/metrics` needs; open to all when absent. */
  metricsToken?: string;
  /** The bearer token of the server API; without it `/api/` is 404. */
  adminToken?: string;
  /**
   * The most WebSocket clients at once (`--max-connections`); an upgrade
   * over it gets 503 and its connection is closed.
   * @default {Infinity}
   */
  maxConnections?: number;
}

/** A natter: a request handler, the server API's operations, a lifecycle. */
export interface NatterApp extends AsyncDisposable {
  /**
   * Answers a request, as a `Deno.serve` handler: natter's paths below the
   * prefix, 404 for every other path. `info.remoteAddr` is the peer that
   * the per-address cap counts.
   */
  readonly fetch: (
    request: Request,
    info: RequestInfo,
  ) => Response | Promise<Response>;
  /**
   * Posts `text` into `room` as the server (client `api`) and delivers it
   * to the room's members, as `POST /api/rooms/{room}/messages` does.
   *
   * @returns the message's offset in the room.
   * @throws {TypeError} for an invalid room name, text or nick.
   * @throws {RangeError} for a text over `maxMessageSize`.
   * @throws {UnavailableError} when the message could not be posted now.
   */
  publish(
    room: string,
    text: string,
    options?: PublishOptions,
  ): Promise<number>;
  /** Every room and its members, as `GET /api/rooms` lists them. */
  listRooms(): Promise<RoomSummary[]>;
  /**
   * The latest messages of `room`, oldest first, as
   * `GET /api/rooms/{room}/history` reads them; `undefined` when the room
   * does not exist.
   */
  history(
    room: string,
    options?: HistoryOptions,
  ): Promise<HistoryMessage[] | undefined>;
  /**
   * Disconnects the member `client` of `room` with 1008 and the reason, as
   * `DELETE /api/rooms/{room}/members/{client}` does.
   *
   * @returns `false` when the room has no such member.
   */
  removeMember(
    room: string,
    client: string,
    options?: RemoveOptions,
  ): Promise<boolean>;
  /** How many members `room` has now (0 when it does not exist). */
  members(room?: string): number;
  /** Whether `/readyz` says natter can serve. */
  readonly ready: boolean;
  /** Turns `/readyz` to 503 ahead of a shutdown, so balancers move away. */
  drain(): void;
  /**
   * Turns `/readyz` to 503, refuses new WebSockets, closes every client
   * with `reason` (by default 1001 "server shutting down") and waits for
   * their connections to end, giving up after the shutdown timeout. After
   * {@linkcode NatterApp.drain} the clients are told in batches over
   * `drainWindow`, and the bound grows by as much.
   *
   * @returns `true` if every connection ended in time.
   */
  close(reason?: CloseReason): Promise<boolean>;
}
