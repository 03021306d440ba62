/**
 * The DrainWatch: one timer that watches every socket whose unsent bytes
 * are above its writer's high-water mark (O3), and tells each writer when
 * its socket has drained, or made no progress for the write wait (K3).
 *
 * WebSocket has no drain event, so a writer must poll `bufferedAmount`.
 * Polling per writer with a backoff (1, 2, 4 ... 50 ms) leaves a socket that
 * drained in a millisecond idle for up to 50 ms, which under load is a
 * stall of the whole room's latency; polling every writer every millisecond
 * on its own timer costs a timer and a promise each. One shared timer, which
 * runs only while some socket is waiting, polls them all every tick for the
 * cost of one `bufferedAmount` read each.
 *
 * A read costs about a microsecond, so polling a thousand waiting sockets
 * every millisecond would take the whole core, and leave none for writing
 * to them: the watch spaces its ticks by how many sockets wait, a
 * millisecond per {@linkcode PER_MS} of them, so polling takes a bounded
 * share of the core however many wait. A socket above its mark holds that
 * much unsent already; a later look costs it nothing it would have sent.
 *
 * @module
 */

/** How many waiting sockets one millisecond between ticks pays for. */
export const PER_MS = 100;

interface Waiter {
  readonly mark: number;
  readonly writeWait: number;
  readonly stop: () => boolean;
  readonly resolve: (drained: boolean) => void;
  lowest: number;
  progressAt: number;
}

/**
 * Watches sockets until they drain.
 *
 * @example
 * ```ts
 * declare const socket: WebSocket;
 *
 * const drains = new DrainWatch();
 * if (await drains.wait(socket, { mark: 65536, writeWait: 10_000 })) {
 *   socket.send("what was waiting");
 * }
 * ```
 */
export class DrainWatch {
  readonly #waiting = new Map<WebSocket, Waiter>();
  readonly #interval: number;
  #timer?: ReturnType<typeof setTimeout>;

  /**
   * Creates a watch that polls every `interval` milliseconds while some
   * socket is waiting.
   */
  constructor(interval = 1) {
    this.#interval = interval;
  }

  /** How many sockets are waiting to drain. */
  get size(): number {
    return this.#waiting.size;
  }

  /**
   * Resolves `true` once `socket` holds at most `mark` unsent bytes, or
   * `false` if they made no progress for `writeWait` milliseconds, the
   * socket is no longer open, or `stop()` says its writer is closing. One
   * wait per socket at a time.
   */
  wait(
    socket: WebSocket,
    options: { mark: number; writeWait: number; stop?: () => boolean },
  ): Promise<boolean> {
    if (socket.bufferedAmount <= options.mark) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.#waiting.set(socket, {
        mark: options.mark,
        writeWait: options.writeWait,
        stop: options.stop ?? (() => false),
        resolve,
        lowest: socket.bufferedAmount,
        progressAt: Date.now(),
      });
      this.#timer ??= setTimeout(this.#tick, this.#spacing());
    });
  }

  /** The time to the next tick: more sockets waiting, fewer ticks. */
  #spacing(): number {
    return Math.max(this.#interval, Math.ceil(this.#waiting.size / PER_MS));
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    const now = Date.now();
    for (const [socket, waiter] of this.#waiting) {
      const verdict = this.#check(socket, waiter, now);
      if (verdict === undefined) continue;
      this.#waiting.delete(socket);
      waiter.resolve(verdict);
    }
    if (this.#waiting.size > 0) {
      this.#timer = setTimeout(this.#tick, this.#spacing());
    }
  };

  /** Whether the socket drained (`true`), gave up (`false`), or waits on. */
  #check(socket: WebSocket, waiter: Waiter, now: number): boolean | undefined {
    if (socket.readyState !== WebSocket.OPEN || waiter.stop()) return false;
    const unsent = socket.bufferedAmount;
    if (unsent <= waiter.mark) return true;
    if (unsent < waiter.lowest) {
      waiter.lowest = unsent;
      waiter.progressAt = now;
      return undefined;
    }
    return now - waiter.progressAt >= waiter.writeWait ? false : undefined;
  }
}
