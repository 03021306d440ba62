/**
 * A reader that counts what it receives: per sender, for messages written
 * `ID SEQ` (or `ID` alone), checking that each sender's messages arrive
 * complete and in order, without keeping them. The overload scenario and
 * its tests read with it.
 *
 * @module
 */

/** How long {@linkcode Tally.until} waits, in milliseconds. */
const UNTIL_MS = 60_000;

/** A WebSocket reader that counts messages per sender id. */
export class Tally {
  /** The connection. */
  readonly socket: WebSocket;
  /** Messages received from each sender id. */
  readonly counts = new Map<string, number>();
  /** Messages whose sequence number was not the next one: any is a loss. */
  gaps = 0;
  /** Messages received in all. */
  total = 0;
  /** Frames received in all. */
  frames = 0;
  /** Settles when the socket is open; rejects if it cannot connect. */
  readonly opened: Promise<void>;
  /** Settles with the close event. */
  readonly closed: Promise<CloseEvent>;
  #waiters = new Set<() => void>();

  /** Connects to `url`; with `parse` false it only counts frames, cheaply. */
  constructor(url: string, parse = true) {
    this.socket = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.socket.onopen = () => resolve();
      this.socket.onerror = () => reject(new Error(`Cannot connect to ${url}`));
    });
    this.closed = new Promise((resolve) => {
      this.socket.onclose = (event) => {
        this.#notify();
        resolve(event);
      };
    });
    this.socket.onmessage = parse
      ? (event) => this.#count(event.data as string)
      : () => void this.frames++;
  }

  #count(frame: string): void {
    this.frames++;
    let start = 0;
    for (;;) {
      const end = frame.indexOf("\n", start);
      const message = frame.slice(start, end === -1 ? undefined : end);
      const space = message.indexOf(" ");
      const id = space === -1 ? message : message.slice(0, space);
      const seen = this.counts.get(id) ?? 0;
      if (space !== -1 && Number(message.slice(space + 1)) !== seen) {
        this.gaps++;
      }
      this.counts.set(id, seen + 1);
      this.total++;
      if (end === -1) break;
      start = end + 1;
    }
    this.#notify();
  }

  /** Waits until `done()` holds; rejects if the socket closes first. */
  until(done: () => boolean, what: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (done()) resolve();
        else if (this.socket.readyState === WebSocket.CLOSED) {
          reject(new Error(`Closed while waiting for ${what}`));
        } else return;
        this.#waiters.delete(check);
      };
      timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`Timed out after ${UNTIL_MS} ms waiting for ${what}`));
      }, UNTIL_MS);
      this.#waiters.add(check);
      check();
    }).finally(() => clearTimeout(timer));
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Opens `count` tallies to `url` and waits until all are open. */
  static async open(url: string, count: number, parse = true) {
    const all = Array.from({ length: count }, () => new Tally(url, parse));
    await Promise.all(all.map((t) => t.opened));
    return all;
  }

  /**
   * Has `sender` send `id` and waits until every one of `all` has it: from
   * then on each of them gets everything broadcast after it.
   */
  static async sync(all: Tally[], sender: Tally, id: string): Promise<void> {
    sender.socket.send(id);
    await Promise.all(
      all.map((t) => t.until(() => t.counts.has(id), `"${id}"`)),
    );
  }
}
