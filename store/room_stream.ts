/**
 * One room's messages on their way from a shared store to the room's Hub,
 * in offset order with no gap and no repeat, however they arrive: the
 * node's own appends, the other nodes' batches on pub/sub (which may come
 * late, twice, or not at all after a reconnect), the history read back.
 *
 * Like TCP's reassembly: what is ahead of the next offset waits; a gap that
 * does not close by itself is filled from the history before anything
 * newer goes out; what the history no longer has is reported as a reset,
 * and so is a new epoch.
 *
 * @module
 */

import type { Feed, Position, RoomEvents, StoredMessage } from "./store.ts";

/** What {@linkcode RoomStreamOptions.read} finds in the history. */
export interface HistoryRange {
  /** The stream's epoch now ("" when the room no longer exists). */
  epoch: string;
  /** The messages kept from the range asked for, oldest first. */
  messages: StoredMessage[];
}

/** Options for {@linkcode RoomStream}. */
export interface RoomStreamOptions {
  /** Where messages go, in offset order. */
  feed: Feed;
  /** Where resets go. */
  events?: RoomEvents;
  /** Reads the messages with offsets `from`..`to` from the history. */
  read(from: number, to: number): Promise<HistoryRange>;
  /** Where to report what could not be read, or was lost. */
  log?: (line: string) => void;
}

interface Waiter {
  offset: number;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * The ordered feed of one room on one node.
 *
 * @example
 * ```ts
 * import type { StoredMessage } from "./store.ts";
 *
 * declare const message1: StoredMessage;
 * declare const message2: StoredMessage;
 * const stream = new RoomStream({ epoch: "e", offset: 0 }, {
 *   feed: (messages) => console.log(messages.map((m) => m.offset)),
 *   read: () => Promise.resolve({ epoch: "e", messages: [] }),
 * });
 * stream.receive("e", [message2]); // waits for 1, and reads the history
 * stream.receive("e", [message1]); // 1 and 2 go out, in one call
 * ```
 */
export class RoomStream {
  readonly #options: RoomStreamOptions;
  #epoch: string;
  /** The latest offset fed. */
  #delivered: number;
  /** The latest offset known to exist. */
  #known: number;
  /** Messages after the next offset, waiting for it. */
  readonly #pending = new Map<number, StoredMessage>();
  #filling = false;
  #waiters: Waiter[] = [];

  /** Starts feeding after `position`. */
  constructor(position: Position, options: RoomStreamOptions) {
    this.#options = options;
    this.#epoch = position.epoch;
    this.#delivered = this.#known = position.offset;
  }

  /** Where the feed stands: its epoch and the latest offset fed. */
  get position(): Position {
    return { epoch: this.#epoch, offset: this.#delivered };
  }

  /** Takes messages of `epoch`, in any order, seen before or not. */
  receive(epoch: string, messages: readonly StoredMessage[]): void {
    if (epoch !== this.#epoch) this.#adopt(epoch);
    for (const message of messages) {
      if (message.offset <= this.#delivered) continue;
      this.#pending.set(message.offset, message);
      if (message.offset > this.#known) this.#known = message.offset;
    }
    this.#drain();
  }

  /** Learns where the stream stands in the store; fills what is missing. */
  sync(epoch: string, latest: number): void {
    if (epoch !== this.#epoch) this.#adopt(epoch);
    if (latest > this.#known) this.#known = latest;
    this.#drain();
  }

  /**
   * Settles once everything up to `offset` has been fed (or the stream was
   * reset); rejects when the history it needs cannot be read.
   */
  until(offset: number): Promise<void> {
    if (offset <= this.#delivered) return Promise.resolve();
    const waiter = Promise.withResolvers<void>();
    this.#waiters.push({ offset, ...waiter });
    return waiter.promise;
  }

  /** A new epoch: what was seen means nothing any more. */
  #adopt(epoch: string): void {
    this.#epoch = epoch;
    this.#delivered = this.#known = 0;
    this.#pending.clear();
    this.#options.events?.reset?.({ epoch, offset: 0 });
    for (const waiter of this.#waiters) waiter.resolve();
    this.#waiters = [];
  }

  #drain(): void {
    if (this.#pending.size > 0) {
      const run: StoredMessage[] = [];
      for (;;) {
        const next = this.#pending.get(this.#delivered + 1);
        if (!next) break;
        this.#pending.delete(next.offset);
        run.push(next);
        this.#delivered = next.offset;
      }
      if (run.length > 0) this.#options.feed(run);
    }
    if (this.#waiters.length > 0) {
      const waiting = this.#waiters;
      this.#waiters = [];
      for (const waiter of waiting) {
        if (waiter.offset <= this.#delivered) waiter.resolve();
        else this.#waiters.push(waiter);
      }
    }
    if (this.#known > this.#delivered && !this.#filling) this.#fill();
  }

  /** Reads the gap after the latest offset fed from the history. */
  #fill(): void {
    let to = this.#known;
    for (const offset of this.#pending.keys()) {
      if (offset <= to) to = offset - 1;
    }
    const from = this.#delivered + 1;
    const epoch = this.#epoch;
    this.#filling = true;
    this.#options.read(from, to).then((found) => {
      this.#filling = false;
      if (found.epoch !== this.#epoch) {
        // The room went away, or was created again, meanwhile.
        if (found.epoch !== "") this.#adopt(found.epoch);
        return this.#drain();
      }
      const first = found.messages[0]?.offset ?? to + 1;
      if (first > this.#delivered + 1) {
        // Dropped from the history before this node could feed them.
        const lost = `${this.#delivered + 1}..${first - 1}`;
        this.#options.log?.(`messages ${lost} of epoch "${epoch}" are lost`);
        this.#delivered = first - 1;
        this.#options.events?.reset?.({ epoch, offset: this.#delivered });
      }
      this.receive(epoch, found.messages);
    }, (error: Error) => {
      this.#filling = false;
      this.#options.log?.(`Cannot fill a gap: ${error.message}`);
      for (const waiter of this.#waiters) waiter.reject(error);
      this.#waiters = [];
    });
  }
}
