/**
 * What natter on its own listener is started with, and what it offers: the
 * options of `serve` (those of `createNatter`, and the listener's), each
 * with its default, and the `Natter` it returns.
 *
 * @module
 */

import type { Rooms } from "../room/rooms.ts";
import type { CloseReason } from "../util/close_reasons.ts";
import type { NatterApp, NatterOptions } from "./natter_options.ts";

export type { NatterApp, NatterOptions } from "./natter_options.ts";

/**
 * Options for `serve`: natter's, and its listener's. natter's own server
 * serves at the root and upgrades on its own connections: `prefix` and
 * `upgrade` are for a mounted natter.
 */
export interface ServerOptions
  extends Omit<NatterOptions, "upgrade" | "prefix"> {
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
   * Share the port with other listeners (SO_REUSEPORT), as the workers of
   * one server do; the kernel spreads connections across them.
   * @default {false}
   */
  reusePort?: boolean;
  /** A PEM certificate chain: with `key`, natter serves https and wss. */
  cert?: string;
  /** The certificate's PEM private key. */
  key?: string;
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

/** A running natter server: a natter on its own listener. */
export interface Natter
  extends AsyncDisposable, Pick<NatterApp, "members" | "ready" | "drain"> {
  /** The rooms, each with its Hub, for tools and tests. */
  readonly rooms: Rooms;
  /** The address it listens on (the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  /**
   * Turns `/readyz` to 503, closes every client with `reason` (by default
   * 1001 "server shutting down"), stops listening and waits for connections
   * to end, giving up after the shutdown timeout. After `drain()` the
   * clients are told in batches over `drainWindow`, and the bound grows by
   * as much.
   *
   * @returns `true` if every connection ended in time.
   */
  shutdown(reason?: CloseReason): Promise<boolean>;
}
