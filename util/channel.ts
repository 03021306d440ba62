/**
 * A bounded, async, first-in-first-out channel: natter's stand-in for a Go
 * channel with a buffer.
 *
 * Producers either wait for room ({@linkcode Channel.send}) or refuse to wait
 * ({@linkcode Channel.trySend}); consumers either take one value at a time
 * ({@linkcode Channel.receive}, or `for await`) or wait until something is
 * queued and take all of it at once ({@linkcode Channel.wait} then
 * {@linkcode Channel.takeAll}), which is what lets a writer coalesce.
 *
 * @module
 */

/** Thrown to a sender when the channel is closed before or while it waits. */
export class ChannelClosedError extends Error {
  /** Creates the error; the message says what was refused. */
  constructor(message = "Cannot send: the channel is closed") {
    super(message);
    this.name = "ChannelClosedError";
  }
}

/** The sending half of a channel, as the Hub sees a client's queue. */
export interface Sender<T> {
  /** Queues `value` if there is room; never waits. */
  trySend(value: T): boolean;
}

interface PendingSend<T> {
  value: T;
  resolve: () => void;
  reject: (reason: unknown) => void;
}

/**
 * A bounded FIFO channel.
 *
 * @example
 * ```ts
 * const ch = new Channel<string>(2);
 * ch.trySend("a");
 * await ch.send("b");
 * ch.close();
 * for await (const v of ch) console.log(v); // "a", "b"
 * ```
 */
export class Channel<T> implements Sender<T>, AsyncIterable<T> {
  readonly #capacity: number;
  // A ring buffer: #count values starting at #head. It starts small and
  // doubles up to the capacity, so an idle channel costs little memory.
  #ring: (T | undefined)[];
  #head = 0;
  #count = 0;
  #closed = false;
  #senders: PendingSend<T>[] = [];
  #watchers = new Set<() => void>();

  /**
   * Creates a channel that holds at most `capacity` values.
   *
   * @param capacity How many values may wait in the channel; at least 1.
   */
  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot create channel: capacity "${capacity}" is not a positive integer`,
      );
    }
    this.#capacity = capacity;
    this.#ring = new Array(Math.min(capacity, 4));
  }

  /** How many values the channel holds at most. */
  get capacity(): number {
    return this.#capacity;
  }

  /** How many values are queued now (not counting waiting senders). */
  get size(): number {
    return this.#count;
  }

  /** Whether {@linkcode Channel.close} has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Queues `value` if there is room and the channel is open; never waits.
   *
   * @returns `false` when the channel is full or closed.
   */
  trySend(value: T): boolean {
    if (this.#closed || this.#count === this.#capacity) return false;
    this.#push(value);
    return true;
  }

  /**
   * Queues `value` now if there is room, with no promise to pay for;
   * otherwise waits for room as {@linkcode Channel.send} does.
   *
   * @returns `undefined` when queued at once, or the promise of the wait,
   * which rejects if the channel is or becomes closed.
   *
   * @example
   * ```ts
   * const channel = new Channel<string>(1);
   * channel.put("now"); // undefined: queued
   * channel.put("later")?.catch(() => console.log("closed first"));
   * ```
   */
  put(value: T): Promise<void> | undefined {
    return this.trySend(value) ? undefined : this.send(value);
  }

  /**
   * Queues `value`, waiting for room if the channel is full. Senders that wait
   * are served in the order they called.
   *
   * @throws {ChannelClosedError} if the channel is or becomes closed first.
   * @throws the signal's reason if `signal` aborts first; the value is then
   * not queued.
   */
  send(value: T, options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.reject(new ChannelClosedError());
    if (this.#count < this.#capacity && this.#senders.length === 0) {
      this.#push(value);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const pending: PendingSend<T> = { value, resolve, reject };
      if (signal) {
        const onAbort = () => {
          const i = this.#senders.indexOf(pending);
          if (i !== -1) this.#senders.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        pending.resolve = () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        };
        pending.reject = (reason) => {
          signal.removeEventListener("abort", onAbort);
          reject(reason);
        };
      }
      this.#senders.push(pending);
    });
  }

  /**
   * Waits until a value is queued or the channel is closed and empty.
   *
   * @returns `true` when a value can be taken, `false` when the channel is
   * closed and nothing is left.
   * @throws the signal's reason if `signal` aborts first.
   */
  wait(options: { signal?: AbortSignal } = {}): Promise<boolean> {
    const { signal } = options;
    if (this.#count > 0) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<boolean>((resolve, reject) => {
      const onAbort = () => {
        this.#watchers.delete(watcher);
        reject(signal!.reason);
      };
      const watcher = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(this.#count > 0);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#watchers.add(watcher);
    });
  }

  /**
   * Takes every value queued now, oldest first, without waiting; waiting
   * senders move into the room this makes. Empty when nothing is queued.
   */
  takeAll(): T[] {
    const out = new Array<T>(this.#count);
    for (let i = 0; i < out.length; i++) out[i] = this.#shift();
    this.#admitSenders();
    return out;
  }

  /**
   * Takes the oldest value, waiting for one if the channel is empty.
   *
   * @throws {ChannelClosedError} when the channel is closed and empty.
   * @throws the signal's reason if `signal` aborts first.
   */
  async receive(options: { signal?: AbortSignal } = {}): Promise<T> {
    // Another consumer may take the value between the wake-up and this turn.
    while (this.#count === 0) {
      if (!(await this.wait(options))) {
        throw new ChannelClosedError("Cannot receive: the channel is closed");
      }
    }
    const value = this.#shift();
    this.#admitSenders();
    return value;
  }

  /**
   * Closes the channel. Values already queued can still be received; waiting
   * and later senders get a {@linkcode ChannelClosedError}. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const senders = this.#senders;
    this.#senders = [];
    for (const s of senders) s.reject(new ChannelClosedError());
    this.#wake();
  }

  /** Yields values until the channel is closed and empty. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (await this.wait()) {
      if (this.#count === 0) continue;
      const value = this.#shift();
      this.#admitSenders();
      yield value;
    }
  }

  #push(value: T): void {
    if (this.#count === this.#ring.length) this.#grow();
    this.#ring[(this.#head + this.#count) % this.#ring.length] = value;
    this.#count++;
    if (this.#count === 1) this.#wake();
  }

  #shift(): T {
    const value = this.#ring[this.#head] as T;
    this.#ring[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#ring.length;
    this.#count--;
    return value;
  }

  #grow(): void {
    const ring = new Array<T | undefined>(
      Math.min(this.#ring.length * 2, this.#capacity),
    );
    for (let i = 0; i < this.#count; i++) {
      ring[i] = this.#ring[(this.#head + i) % this.#ring.length];
    }
    this.#ring = ring;
    this.#head = 0;
  }

  #admitSenders(): void {
    while (this.#senders.length > 0 && this.#count < this.#capacity) {
      const s = this.#senders.shift()!;
      this.#push(s.value);
      s.resolve();
    }
  }

  #wake(): void {
    if (this.#watchers.size === 0) return;
    const watchers = [...this.#watchers];
    this.#watchers.clear();
    for (const w of watchers) w();
  }
}
