/**
 * A room's messages waiting to be read by `for await`: one reader at a time,
 * a bounded number waiting, and an end (quiet when the room was left, with
 * the error when it was lost).
 *
 * @module
 */

/** What a waiting reader is given when the next item arrives. */
interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: unknown): void;
}

/**
 * Items in arrival order for one reader at a time. When more than `limit`
 * wait unread, the oldest are dropped: a program that never reads costs a
 * bounded amount of memory.
 *
 * @example
 * ```ts
 * const inbox = new Inbox<string>(100);
 * inbox.push("hello");
 * inbox.end();
 * for await (const item of inbox.read()) console.log(item); // "hello"
 * ```
 */
export class Inbox<T> {
  readonly #limit: number;
  #items: T[] = [];
  #head = 0;
  #waiter?: Waiter<T>;
  #reading = false;
  #end?: { error?: unknown };

  /** An inbox holding at most `limit` unread items. */
  constructor(limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new RangeError(`Cannot hold "${limit}" messages: give 1 or more`);
    }
    this.#limit = limit;
  }

  /** How many items wait unread. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Adds `item`, or hands it to the reader waiting for one. */
  push(item: T): void {
    if (this.#end) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      return waiter.resolve({ value: item, done: false });
    }
    this.#items.push(item);
    if (this.size > this.#limit) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  /**
   * Ends the inbox: its reader gets what waits, then is done, or, with
   * `error`, is thrown `error`.
   */
  end(error?: unknown): void {
    if (this.#end) return;
    this.#end = error === undefined ? {} : { error };
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (!waiter) return;
    if (error === undefined) waiter.resolve({ value: undefined, done: true });
    else waiter.reject(error);
  }

  /**
   * An iterator over the items, from the oldest waiting on; breaking out of
   * the loop lets another reader go on from there.
   *
   * @throws {TypeError} when another reader is reading.
   */
  read(): AsyncIterableIterator<T, undefined, undefined> {
    if (this.#reading) {
      throw new TypeError("Cannot read the messages: another loop reads them");
    }
    this.#reading = true;
    const release = (): IteratorResult<T, undefined> => {
      this.#reading = false;
      this.#waiter?.resolve({ value: undefined, done: true });
      this.#waiter = undefined;
      return { value: undefined, done: true };
    };
    let released = false;
    const iterator: AsyncIterableIterator<T, undefined, undefined> = {
      next: () => {
        if (released) return Promise.resolve({ value: undefined, done: true });
        if (this.size > 0) {
          const value = this.#items[this.#head++];
          if (this.#head === this.#items.length) {
            this.#items = [];
            this.#head = 0;
          }
          return Promise.resolve({ value, done: false });
        }
        const end = this.#end;
        if (end) {
          released = true;
          release();
          return end.error === undefined
            ? Promise.resolve({ value: undefined, done: true })
            : Promise.reject(end.error);
        }
        return new Promise((resolve, reject) => {
          this.#waiter = { resolve, reject };
        });
      },
      return: () => {
        if (!released) {
          released = true;
          return Promise.resolve(release());
        }
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
