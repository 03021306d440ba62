/**
 * What natter's listener is given and what it gives: its options, each with
 * its default, the handler it calls, and the listener it returns.
 *
 * @module
 */

/** Options for `listen`. */
export interface ListenOptions {
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
   * Share the port with other listeners (SO_REUSEPORT).
   * @default {false}
   */
  reusePort?: boolean;
  /**
   * Milliseconds a connection has to send a complete request, from when it
   * is accepted (or its previous response); it is closed after that.
   * @default {10000}
   */
  requestTimeout?: number;
  /**
   * The most TCP connections held at once, of every kind; one accepted over
   * it is closed at once.
   * @default {Infinity}
   */
  maxSockets?: number;
  /**
   * Milliseconds between two checks that descriptors are left and that the
   * listener still accepts.
   * @default {1000}
   */
  watchInterval?: number;
  /** A PEM certificate chain: with `key`, the listener serves TLS. */
  cert?: string;
  /** The certificate's PEM private key. */
  key?: string;
  /** Where to report what goes wrong: one line per episode. */
  log?: (line: string) => void;
  /** Called once the server listens. */
  onListen?: (addr: Deno.NetAddr) => void;
}

/** Where a request came from, as `Deno.serve` tells its handlers. */
export interface RequestInfo {
  /** The peer's address. */
  remoteAddr: Deno.NetAddr;
}

/** Answers one request, as `Deno.serve`'s handlers do. */
export type Handler = (
  request: Request,
  info: RequestInfo,
) => Response | Promise<Response>;

/** A listening server. */
export interface Listener extends AsyncDisposable {
  /** The address it listens on (the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  /** How many TCP connections are open now, WebSockets included. */
  readonly connections: number;
  /**
   * Stops listening, closes idle connections, gives requests in flight a
   * second, then closes the rest. WebSockets are left to their owner.
   */
  shutdown(): Promise<void>;
}
