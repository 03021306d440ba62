/**
 * Admission before exhaustion: caps on what natter holds at once, derived
 * from the file descriptors the process may open, so that it refuses new
 * connections in an orderly way long before the kernel refuses it.
 *
 * Two caps, one inside the other:
 *
 * - the socket cap: every TCP connection, whatever it is doing, takes a
 *   descriptor; a connection accepted over the cap is closed at once;
 * - the client cap (`--max-connections`): WebSocket clients; an upgrade
 *   over it is answered 503 and the connection closed. The room between the
 *   two lets natter answer that 503, and serve the page, while full.
 *
 * @module
 */

/** Descriptors kept for the rest of the process: files, a Redis client, logs, worker threads. */
export const RESERVED_DESCRIPTORS = 64;

/**
 * The descriptors assumed free when they cannot be counted: the common soft
 * limit of 1024, less what a Deno process holds at start.
 */
export const FALLBACK_DESCRIPTORS = 1000;

/** The caps natter applies by default for a number of free descriptors. */
export interface Limits {
  /** The most TCP connections at once, of any kind. */
  sockets: number;
  /** The most WebSocket clients at once; the rest of `sockets` is room for the page and refusals. */
  clients: number;
}

/**
 * The default caps for `free` descriptors: all of them but
 * {@linkcode RESERVED_DESCRIPTORS} for connections, and a tenth of those
 * (16 to 1024) kept out of the client cap.
 *
 * @example
 * ```ts
 * defaultLimits(19978); // { sockets: 19914, clients: 18890 }
 * ```
 */
export function defaultLimits(free: number, perClient = 1): Limits {
  const sockets = Math.max(2, free - RESERVED_DESCRIPTORS);
  const room = Math.min(1024, Math.max(16, Math.ceil(sockets / 10)));
  return {
    sockets,
    clients: Math.max(1, Math.floor((sockets - room) / perClient)),
  };
}

/** Options for {@linkcode Admission}. */
export interface AdmissionOptions {
  /**
   * The line logged when the cap is reached; it is logged once until the
   * count has fallen a fifth below the cap again. (The socket cap's room
   * for refusals is a tenth: while clients fill theirs, refusals come and go
   * in it, and that is still one episode.)
   * @default {`${max} admitted, the most allowed: refusing more`}
   */
  full?: string;
  /** Where the line goes. */
  log?: (line: string) => void;
}

/**
 * A count of admitted things under a cap. An item is counted from
 * {@linkcode Admission.add} until {@linkcode Admission.release}, which may
 * be called any number of times. For WebSockets the Admission is its own
 * listener: it releases a socket on its `close` or `error` event.
 *
 * @example
 * ```ts
 * declare const socket: WebSocket;
 * const clients = new Admission(2);
 * if (clients.admits()) clients.add(socket); // released when it closes
 * else socket.close(1013, "try again later");
 * ```
 */
export class Admission implements EventListenerObject {
  readonly #max: number;
  readonly #full: string;
  readonly #log: (line: string) => void;
  readonly #items = new Set<object>();
  /** Set while refusing, until the count has fallen a fifth below the cap. */
  #refusing = false;

  /** Creates an Admission that holds at most `max` items. */
  constructor(max: number, options: AdmissionOptions = {}) {
    if (!(max >= 1)) {
      throw new RangeError(`Cannot cap admissions at "${max}": not at least 1`);
    }
    this.#max = max;
    this.#full = options.full ??
      `${max} admitted, the most allowed: refusing more`;
    this.#log = options.log ?? (() => {});
  }

  /** The cap. */
  get max(): number {
    return this.#max;
  }

  /** How many items are counted now. */
  get size(): number {
    return this.#items.size;
  }

  /**
   * Whether one more item fits under the cap. When it does not, logs the
   * cap's line if this is the first refusal since the count was well below.
   */
  admits(): boolean {
    if (this.#items.size < this.#max) return true;
    if (!this.#refusing) {
      this.#refusing = true;
      this.#log(this.#full);
    }
    return false;
  }

  /**
   * Counts `item`. A WebSocket is released by its own `close` or `error`
   * event; anything else by {@linkcode Admission.release}.
   */
  add(item: object): void {
    this.#items.add(item);
    if (item instanceof WebSocket) {
      item.addEventListener("close", this);
      item.addEventListener("error", this);
    }
  }

  /** Stops counting `item`; harmless if it is not counted. */
  release(item: object): void {
    if (!this.#items.delete(item)) return;
    const calm = this.#max - Math.max(1, Math.floor(this.#max / 5));
    if (this.#refusing && this.#items.size <= calm) this.#refusing = false;
  }

  /**
   * A counted WebSocket closed or failed. Not for callers: the Admission is
   * its sockets' listener so that it needs no closure per socket.
   * @internal
   */
  handleEvent(event: Event): void {
    const socket = event.target as WebSocket;
    socket.removeEventListener("close", this);
    socket.removeEventListener("error", this);
    this.release(socket);
  }
}
