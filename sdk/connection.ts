/**
 * The socket under a natter client: opens a WebSocket that speaks natter.v1,
 * hands on the events of every frame, and when the socket drops, opens
 * another after a jittered, growing wait, until it is closed for good.
 *
 * @module
 */

import { backoffDelay, type BackoffOptions } from "./backoff.ts";
import { type ServerEvent, SUBPROTOCOL } from "./frames.ts";
import { readFrame } from "./read_frame.ts";

/** What makes a WebSocket: the global one, or another with its shape. */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => WebSocket;

/** How a {@linkcode Connection} connects. */
export interface ConnectionOptions {
  /**
   * A token for a server that needs one; it goes in the URL's `token`
   * parameter, which every platform's WebSocket can send.
   */
  token?: string;
  /**
   * Subprotocols to offer besides natter.v1, which is always offered.
   * @default {[]}
   */
  protocols?: readonly string[];
  /** How the wait between attempts grows. */
  backoff?: BackoffOptions;
  /**
   * The WebSocket class to use.
   * @default {globalThis.WebSocket}
   */
  WebSocket?: WebSocketConstructor;
}

/** What a {@linkcode Connection} tells its owner. */
export interface ConnectionHandlers {
  /** A socket is open and speaks natter.v1. */
  open(): void;
  /** The events of one frame, in order. */
  events(events: ServerEvent[]): void;
  /** The open socket closed; another will be tried. */
  down(code: number, reason: string): void;
}

/** How long a socket may take to open before it counts as failed. */
export const OPEN_TIMEOUT_MS = 10_000;
/** A socket that stayed open this long starts the backoff over. */
export const HEALTHY_AFTER_MS = 5_000;

/**
 * One natter.v1 socket at a time, replaced when it drops.
 *
 * @example
 * ```ts
 * const connection = new Connection("ws://localhost:8080/ws", {}, {
 *   open: () => connection.send(`{"type":"join","room":"lobby"}`),
 *   events: (events) => console.log(events),
 *   down: (code) => console.log(`dropped with ${code}; reconnecting`),
 * });
 * await connection.start();
 * ```
 */
export class Connection {
  readonly #url: string;
  readonly #protocols: string[];
  readonly #options: ConnectionOptions;
  readonly #handlers: ConnectionHandlers;
  #socket?: WebSocket;
  #open = false;
  #closed = false;
  #failures = 0;
  #timer?: ReturnType<typeof setTimeout>;

  /** A connection to `url`; nothing happens until {@linkcode start}. */
  constructor(
    url: string | URL,
    options: ConnectionOptions,
    handlers: ConnectionHandlers,
  ) {
    const target = new URL(url);
    if (target.protocol !== "ws:" && target.protocol !== "wss:") {
      throw new TypeError(
        `Cannot connect to "${target.href}": the URL must be ws: or wss:`,
      );
    }
    if (options.token !== undefined) {
      target.searchParams.set("token", options.token);
    }
    this.#url = target.href;
    this.#protocols = [
      SUBPROTOCOL,
      ...(options.protocols ?? []).filter((p) => p !== SUBPROTOCOL),
    ];
    this.#options = options;
    this.#handlers = handlers;
  }

  /** Whether a socket is open now. */
  get open(): boolean {
    return this.#open;
  }

  /**
   * Opens the first socket. It rejects when that one cannot open (wrong
   * URL, refused, not natter.v1); after it has opened once, every drop is
   * followed by new attempts until {@linkcode close}.
   */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#dial((error) => error ? reject(error) : resolve());
    });
  }

  /** Sends the text `frame` if a socket is open; whether it was sent. */
  send(frame: string): boolean {
    const socket = this.#socket;
    if (!this.#open || !socket) return false;
    socket.send(frame);
    return true;
  }

  /** Closes the socket, and tries no more. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#open = false;
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket && socket.readyState <= 1) socket.close(1000, "bye");
  }

  /** Opens a socket; `first` hears how the first attempt went. */
  #dial(first?: (error?: Error) => void): void {
    if (this.#closed) return;
    const Socket = this.#options.WebSocket ?? globalThis.WebSocket;
    let socket: WebSocket;
    try {
      socket = new Socket(this.#url, this.#protocols);
    } catch (error) {
      if (!first) return this.#retry();
      this.#closed = true;
      return first(error as Error);
    }
    socket.binaryType = "arraybuffer";
    this.#socket = socket;
    let openedAt = 0;
    const timeout = setTimeout(() => socket.close(), OPEN_TIMEOUT_MS);
    socket.onopen = () => {
      clearTimeout(timeout);
      if (socket !== this.#socket) return;
      if (socket.protocol !== SUBPROTOCOL) {
        // A plain-mode server, or something else: the first time, no use
        // trying again; later, perhaps a server being replaced.
        socket.close(1000);
        if (!first) return;
        this.#closed = true;
        first(
          new Error(`Cannot use "${this.#url}": it does not speak natter.v1`),
        );
        first = undefined;
        return;
      }
      openedAt = Date.now();
      this.#open = true;
      first?.();
      first = undefined;
      this.#handlers.open();
    };
    socket.onmessage = (event) => {
      if (socket !== this.#socket || !this.#open) return;
      const events = readFrame(event.data);
      if (events.length > 0) this.#handlers.events(events);
    };
    // The close event follows an error, and says all there is to say.
    socket.onerror = () => {};
    socket.onclose = (event) => {
      clearTimeout(timeout);
      if (socket !== this.#socket) return;
      const wasOpen = this.#open;
      this.#open = false;
      this.#socket = undefined;
      if (first) {
        this.#closed = true;
        return first(new Error(`Cannot connect to "${this.#url}"`));
      }
      if (this.#closed) return;
      if (wasOpen) {
        if (Date.now() - openedAt >= HEALTHY_AFTER_MS) this.#failures = 0;
        this.#handlers.down(event.code, event.reason);
      }
      this.#retry();
    };
  }

  #retry(): void {
    if (this.#closed) return;
    const wait = backoffDelay(this.#failures++, this.#options.backoff);
    this.#timer = setTimeout(() => this.#dial(), wait);
  }
}
