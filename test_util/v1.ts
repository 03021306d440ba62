/**
 * Test helpers: a natter.v1 client on the platform `WebSocket` that records
 * every event it receives, frame by frame, and waits for them with
 * deadlines.
 *
 * @module
 */

import { deadline, opened } from "./natter.ts";

/** An event as the client received it: a parsed JSON object. */
// deno-lint-ignore no-explicit-any
export type Event = Record<string, any>;

/** A natter.v1 client for tests. */
export class V1Client implements AsyncDisposable {
  /** Every event received so far, in order. */
  readonly events: Event[] = [];
  /** Every frame received, as its events. */
  readonly frames: Event[][] = [];
  /** Settles with the close event. */
  readonly closed: Promise<CloseEvent>;
  readonly #socket: WebSocket;
  #waiters: (() => void)[] = [];
  #ids = 0;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => {
      const frame = JSON.parse(String(event.data));
      if (!Array.isArray(frame)) throw new Error(`Not an array: ${event.data}`);
      this.frames.push(frame);
      this.events.push(...frame);
      this.#wake();
    };
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", (event) => {
        this.#wake();
        resolve(event);
      });
    });
  }

  /** Connects to `url` with the natter.v1 subprotocol and waits until open. */
  static async open(url: string): Promise<V1Client> {
    const socket = new WebSocket(url, "natter.v1");
    const client = new V1Client(socket);
    await opened(socket, url);
    return client;
  }

  /** The underlying socket. */
  get socket(): WebSocket {
    return this.#socket;
  }

  /** Sends `command` as one JSON text frame. */
  send(command: Event): void {
    this.#socket.send(JSON.stringify(command));
  }

  /**
   * Sends `command` with a fresh numeric id and waits for the event that
   * answers it (a reply or an error with that id).
   */
  async request(command: Event): Promise<Event> {
    const id = ++this.#ids;
    const from = this.events.length;
    this.send({ ...command, id });
    // Only what arrives from now on: an earlier event may carry the same id.
    return await this.#wait(
      () =>
        this.events.slice(from).find((e) =>
          e.id === id && e.type !== "message"
        ),
      `the answer to ${command.type} #${id}`,
    );
  }

  /** Joins `room` and returns the `joined` reply. */
  async join(room: string, extra: Event = {}): Promise<Event> {
    const reply = await this.request({ type: "join", room, ...extra });
    if (reply.type !== "joined") {
      throw new Error(`Join refused: ${JSON.stringify(reply)}`);
    }
    return reply;
  }

  /** Waits for the first event, from the start, that `match` accepts. */
  waitFor(match: (event: Event) => boolean, what: string): Promise<Event> {
    return this.#wait(() => this.events.find(match), what);
  }

  /** Waits until `count` events match, and returns them in order. */
  waitForAll(
    match: (event: Event) => boolean,
    count: number,
    what: string,
  ): Promise<Event[]> {
    return this.#wait(() => {
      const found = this.events.filter(match);
      return found.length >= count ? found : undefined;
    }, `${count} ${what}`);
  }

  /** The `message` events of `room` received so far. */
  messages(room: string): Event[] {
    return this.events.filter((e) => e.type === "message" && e.room === room);
  }

  /** Closes the socket (if open) and waits for the close to complete. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#socket.readyState <= WebSocket.OPEN) this.#socket.close();
    await deadline(this.closed, "the client to close");
  }

  #wait<T>(find: () => T | undefined, what: string): Promise<T> {
    return deadline(
      new Promise<T>((resolve, reject) => {
        const check = () => {
          const found = find();
          if (found !== undefined) resolve(found);
          else if (this.#socket.readyState === WebSocket.CLOSED) {
            reject(new Error(`Closed while waiting for ${what}`));
          } else return;
          this.#waiters = this.#waiters.filter((w) => w !== check);
        };
        this.#waiters.push(check);
        check();
      }),
      what,
    );
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
