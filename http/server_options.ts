/**
 * What natter is started with, and what a running natter offers: the
 * options of `serve`, each with its default, and the `Natter` it returns.
 *
 * @module
 */

import type { Verifier } from "../auth/token.ts";
import type { ClientOptions } from "../connection/client_options.ts";
import type { CloseReason } from "../util/close_reasons.ts";
import type { IpSlots } from "./listen/ip_slots.ts";
import type { Rooms, RoomsOptions } from "../room/rooms.ts";
import type { MemoryStoreOptions } from "../store/memory.ts";
import type { Store } from "../store/store.ts";

/** Options for `serve`. */
export interface ServerOptions
  extends
    Omit<ClientOptions, "onClose" | "meter">,
    Omit<RoomsOptions, "log" | "maxBatch">,
    Omit<MemoryStoreOptions, "now"> {
  /**
   * The interface to listen on.
   * @default {"0.0.0.0"}
   */
  hostname?: string;
  /**
   * The port to listen on; 0 picks a free one.
   * @default {8080}
   */
  port?: number;
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
   * Milliseconds `Natter.shutdown` waits for connections to close
   * before it gives up on the stragglers.
   * @default {5000}
   */
  shutdownTimeout?: number;
  /**
   * Share the port with other listeners (SO_REUSEPORT), as the workers of
   * one server do; the kernel spreads connections across them.
   * @default {false}
   */
  reusePort?: boolean;
  /**
   * Where rooms, history and presence live.
   * @default {a MemoryStore with the history options}
   */
  store?: Store;
  /**
   * Prefixes every connection id this server gives out, so that ids from
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
   * Where connections per IP address are counted against
   * `maxConnectionsPerIp`: the workers of a cluster share the main thread's
   * count.
   * @default {this server's own count, when `maxConnectionsPerIp` is set}
   */
  ipSlots?: IpSlots;
  /** The bearer token `/metrics` needs; open to all when absent. */
  metricsToken?: string;
  /** The bearer token of the server API; without it `/api/` is 404. */
  adminToken?: string;
  /** A PEM certificate chain: with `key`, natter serves https and wss. */
  cert?: string;
  /** The certificate's PEM private key. */
  key?: string;
  /**
   * The most WebSocket clients at once (`--max-connections`); an upgrade
   * over it gets 503 and its connection is closed.
   * @default {Infinity}
   */
  maxConnections?: number;
  /**
   * The most TCP connections at once, of every kind; one accepted over it is
   * closed at once. `main.ts` sets it from the free descriptors.
   * @default {Infinity}
   */
  maxSockets?: number;
  /**
   * Milliseconds a connection has to complete its HTTP request; it is closed
   * after that.
   * @default {10000}
   */
  requestTimeout?: number;
  /** Called once the server listens. */
  onListen?: (addr: Deno.NetAddr) => void;
}

/** A running natter server. */
export interface Natter extends AsyncDisposable {
  /** The address it listens on (the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  /** The rooms, each with its Hub. */
  readonly rooms: Rooms;
  /** How many members `room` has now (0 when it does not exist). */
  members(room?: string): number;
  /** Whether `/readyz` says the server can serve. */
  readonly ready: boolean;
  /** Turns `/readyz` to 503 ahead of a shutdown, so balancers move away. */
  drain(): void;
  /**
   * Turns `/readyz` to 503, closes every client with `reason` (by default
   * 1001 "server shutting down"), stops listening and waits for connections
   * to end, giving up after the shutdown timeout.
   *
   * @returns `true` if every connection ended in time.
   */
  shutdown(reason?: CloseReason): Promise<boolean>;
}
