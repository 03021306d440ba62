/**
 * What a `Client` is given: its options, each limit with its
 * default, and how its connection takes part (its id, the rooms, a plain
 * client's room, a verified identity).
 *
 * @module
 */

import type { Identity } from "../auth/token.ts";
import type { Log } from "../util/log.ts";
import type { Meter } from "../util/meter.ts";
import type { SessionOptions } from "../protocol/session_options.ts";
import type { Rooms } from "../room/rooms.ts";

/** Options for `Client`. */
export interface ClientOptions extends SessionOptions {
  /**
   * How many outbound messages may wait for the writer (K1); a client whose
   * queue is full is evicted.
   * @default {256}
   */
  queueSize?: number;
  /**
   * How many UTF-16 code units of outbound frames may wait for the writer
   * (each at most two bytes in memory); a client over it is evicted as for
   * a full queue. At least `queueSize` × `maxMessageSize` plus the LFs, so
   * that a plain client is never evicted before its queue is full (K1).
   * @default {1048576}
   */
  queueBytes?: number;
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
   * Messages a second one connection may send (a token bucket with
   * `rateBurst`); over it, a natter.v1 `send` is refused with
   * `rate_limited` and a plain client is closed with 1008. Off when 0.
   * @default {0}
   */
  rateLimit?: number;
  /**
   * How many messages a connection may send at once within `rateLimit`.
   * @default {the rate, at least 1}
   */
  rateBurst?: number;
  /**
   * Milliseconds an open connection may wait before its first frame; then
   * it is closed with 1008. Off when 0 (gorilla's clients may only read).
   * @default {0}
   */
  firstFrameTimeout?: number;
  /** Where to report closes that are not a peer's normal leaving. */
  log?: Log;
  /** Where to count the connections natter closes. */
  meter?: Meter;
  /** Called once the socket has closed, whatever closed it. */
  onClose?: (socket: WebSocket, client: { readonly id: string }) => void;
}

/** How a Client takes part: which rooms, and which protocol. */
export interface Connection {
  /** This connection's opaque id, as members and messages show it (E1). */
  id: string;
  /** The server's rooms. */
  rooms: Rooms;
  /**
   * The room of a plain-mode connection (R2). Without it the connection
   * speaks natter.v1 and joins rooms by command.
   */
  room?: string;
  /** Who a verified token says the client is, when tokens are on. */
  identity?: Identity;
}
