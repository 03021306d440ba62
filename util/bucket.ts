/**
 * A token bucket: at most `burst` at once, refilled at `rate` a second. Used
 * for `--rate-limit`/`--rate-burst` (messages per connection), `--join-rate`
 * (joins per connection) and `--accept-rate` (WebSocket handshakes per
 * server).
 *
 * @module
 */

/**
 * A token bucket, lazily refilled: it holds no timer.
 *
 * @example
 * ```ts
 * declare const socket: WebSocket;
 * const bucket = new TokenBucket(10, 20); // 10 a second, bursts of 20
 * socket.addEventListener("message", () => {
 *   if (!bucket.take()) socket.close(1008, "too many messages");
 * });
 * ```
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  /**
   * Creates a full bucket.
   *
   * @param rate tokens added a second; more than 0
   * @param burst the most tokens held; at least 1
   */
  constructor(rate: number, burst: number, now: () => number = Date.now) {
    if (!(rate > 0) || !(burst >= 1)) {
      throw new RangeError(
        `Cannot create a token bucket of rate "${rate}" and burst "${burst}"`,
      );
    }
    this.#rate = rate;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#at = now();
  }

  /** Takes one token if there is one; `false` when the bucket is empty. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /**
   * Milliseconds until {@linkcode TokenBucket.take} would succeed; 0 when it
   * would now. Takes nothing.
   *
   * @example
   * ```ts
   * const bucket = new TokenBucket(2, 1);
   * bucket.take();
   * bucket.untilNext(); // about 500
   * ```
   */
  untilNext(): number {
    this.#refill();
    if (this.#tokens >= 1) return 0;
    return ((1 - this.#tokens) / this.#rate) * 1000;
  }

  /** Adds what has dripped in since the last look, up to the burst. */
  #refill(): void {
    const now = this.#now();
    const refill = ((now - this.#at) / 1000) * this.#rate;
    this.#tokens = Math.min(this.#burst, this.#tokens + refill);
    this.#at = now;
  }
}
