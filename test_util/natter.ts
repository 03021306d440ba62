/**
 * Test helpers: a natter server on an ephemeral loopback port, and a chat
 * client on the platform `WebSocket` that records what it receives.
 *
 * @module
 */

import { type Natter, serve, type ServerOptions } from "../http/server.ts";

/** How long a test waits for an event before it fails; generous on purpose. */
export const DEADLINE_MS = 10_000;

/** A running test server with its URLs. */
export interface TestServer extends Natter {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** `ws://127.0.0.1:PORT/ws` */
  readonly wsUrl: string;
}

/** Starts natter on 127.0.0.1 and a free port; dispose it to stop it. */
export function startServer(options: ServerOptions = {}): TestServer {
  const natter = serve({ hostname: "127.0.0.1", port: 0, ...options });
  const origin = `http://127.0.0.1:${natter.addr.port}`;
  return Object.assign(natter, {
    origin,
    wsUrl: `ws://127.0.0.1:${natter.addr.port}/ws`,
  });
}

/** Rejects after `ms` with a message naming what was awaited. */
export function deadline<T>(
  promise: Promise<T>,
  what: string,
  ms = DEADLINE_MS,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A chat client that records every message it receives (frames split on LF)
 * and how many frames they came in.
 */
export class ChatClient implements AsyncDisposable {
  /** Every message received so far, in order. */
  readonly messages: string[] = [];
  /** How many text frames arrived. */
  frames = 0;
  /** Settles with the close event. */
  readonly closed: Promise<CloseEvent>;
  readonly #socket: WebSocket;
  #waiters: (() => void)[] = [];

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => {
      this.frames++;
      this.messages.push(...String(event.data).split("\n"));
      for (const w of this.#waiters) w();
    };
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", (event) => {
        for (const w of this.#waiters) w();
        resolve(event);
      });
    });
  }

  /**
   * Connects to `url` and waits until the socket is open. For a `wss://`
   * URL whose certificate a test made, pass a `client` that trusts its CA:
   * `Deno.createHttpClient({ caCerts: [ca] })`.
   */
  static async open(
    url: string,
    options: { headers?: Record<string, string>; client?: Deno.HttpClient } =
      {},
  ): Promise<ChatClient> {
    const socket = new WebSocket(url, {
      headers: options.headers,
      client: options.client,
    });
    const client = new ChatClient(socket);
    await opened(socket, url);
    return client;
  }

  /** The underlying socket. */
  get socket(): WebSocket {
    return this.#socket;
  }

  /** Sends a text message. */
  send(text: string): void {
    this.#socket.send(text);
  }

  /** Waits until at least `count` messages have arrived. */
  async waitForMessages(count: number): Promise<string[]> {
    await deadline(
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (this.messages.length >= count) resolve();
          else if (this.#socket.readyState === WebSocket.CLOSED) {
            reject(
              new Error(
                `Closed after ${this.messages.length} of ${count} messages`,
              ),
            );
          } else return;
          this.#waiters = this.#waiters.filter((w) => w !== check);
        };
        this.#waiters.push(check);
        check();
      }),
      `${count} messages (have ${this.messages.length})`,
    );
    return this.messages;
  }

  /** Closes the socket (if open) and waits for the close to complete. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#socket.readyState <= WebSocket.OPEN) this.#socket.close();
    await deadline(this.closed, "the client to close");
  }
}

/** Waits until `socket` (connecting to `url`) is open; fails on an error. */
export function opened(socket: WebSocket, url: string): Promise<void> {
  return deadline(
    new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = (e) =>
        reject(new Error(`Cannot connect: ${(e as ErrorEvent).message}`));
    }),
    `${url} to open`,
  );
}

/**
 * Waits until `condition()` holds, checking every few milliseconds, for state
 * that raises no event (such as how many clients the Hub has registered).
 */
export async function until(
  condition: () => boolean,
  what: string,
): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > DEADLINE_MS) {
      throw new Error(`Timed out after ${DEADLINE_MS} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Opens `count` chat clients to `server` and waits until the Hub has
 * registered all of them, so that each sees every later message.
 */
export async function openClients(
  server: TestServer,
  count: number,
): Promise<ChatClient[]> {
  const before = server.members();
  const clients = await Promise.all(
    Array.from({ length: count }, () => ChatClient.open(server.wsUrl)),
  );
  await until(
    () => server.members() >= before + count,
    `${count} clients to register`,
  );
  return clients;
}
