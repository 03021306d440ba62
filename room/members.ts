/**
 * A room's members as its Hub holds them (A1): who is in the room, how the
 * room offers them batches without waiting, and how it lets one go when its
 * queue is full (A5).
 *
 * @module
 */

import type { Batch } from "./batch.ts";
import { QUEUE_FULL, type Release, type Subscriber } from "./subscriber.ts";
import type { Meter } from "../util/meter.ts";
import type { Member } from "../store/store.ts";

/** No subscriber: a turn in which nobody leaves allocates no set of them. */
export const NOBODY: ReadonlySet<Subscriber> = new Set();

/**
 * The members of one room, each a {@linkcode Subscriber} with who it is.
 *
 * @example
 * ```ts
 * import { Batch } from "./batch.ts";
 * import { NO_METER } from "../util/meter.ts";
 * import type { Subscriber } from "./subscriber.ts";
 * declare const subscriber: Subscriber;
 *
 * const members = new Members(NO_METER);
 * members.add(subscriber, { client: "c1", nick: "ada" });
 * members.offer(subscriber, Batch.of("hello"));
 * ```
 */
export class Members {
  readonly #members = new Map<Subscriber, Member>();
  readonly #meter: Meter;
  /** Members evicted since the room last announced who left. */
  #evicted: Member[] = [];

  /** Creates an empty set of members that counts deliveries in `meter`. */
  constructor(meter: Meter) {
    this.#meter = meter;
  }

  /** How many members there are. */
  get size(): number {
    return this.#members.size;
  }

  /** Whether `subscriber` is a member. */
  has(subscriber: Subscriber): boolean {
    return this.#members.has(subscriber);
  }

  /** Who `subscriber` is in the room, if it is a member. */
  get(subscriber: Subscriber): Member | undefined {
    return this.#members.get(subscriber);
  }

  /** Every member's subscriber. */
  subscribers(): IterableIterator<Subscriber> {
    return this.#members.keys();
  }

  /** Who every member is. */
  all(): Member[] {
    return [...this.#members.values()];
  }

  /** Makes `subscriber` a member, as `member`. */
  add(subscriber: Subscriber, member: Member): void {
    this.#members.set(subscriber, member);
  }

  /** Forgets `subscriber` without telling it; `false` if it was no member. */
  forget(subscriber: Subscriber): boolean {
    return this.#members.delete(subscriber);
  }

  /** Offers `batch` to one member; a member whose queue is full is let go. */
  offer(subscriber: Subscriber, batch: Batch): void {
    if (!this.#members.has(subscriber)) return;
    if (!subscriber.offer(batch)) this.remove(subscriber, QUEUE_FULL);
  }

  /** Offers `batch` to every member, and counts its messages delivered. */
  offerAll(batch: Batch): void {
    const count = batch.messages.length * this.#members.size;
    for (const subscriber of this.#members.keys()) {
      if (!subscriber.offer(batch)) this.remove(subscriber, QUEUE_FULL);
    }
    this.#meter.delivered(count);
  }

  /**
   * Lets `subscriber` go, telling it why. An evicted member is remembered,
   * so that the room can tell the others it left.
   */
  remove(subscriber: Subscriber, release: Release): Member | undefined {
    const member = this.#members.get(subscriber);
    if (member === undefined) return undefined;
    this.#members.delete(subscriber);
    subscriber.release(release);
    if (release.kind === "evicted") this.#evicted.push(member);
    return member;
  }

  /**
   * Who of `unregistered` is a member, each once: their subscribers, to be
   * let go at the end of the turn, while who they were is added to `left`.
   */
  departing(
    unregistered: readonly Subscriber[],
    left: Member[],
  ): ReadonlySet<Subscriber> {
    if (unregistered.length === 0) return NOBODY;
    const leaving = new Set<Subscriber>();
    for (const subscriber of unregistered) {
      const member = this.#members.get(subscriber);
      if (member === undefined || leaving.has(subscriber)) continue;
      leaving.add(subscriber);
      left.push(member);
    }
    return leaving;
  }

  /** The members evicted since the last call, oldest first. */
  takeEvicted(): Member[] {
    const evicted = this.#evicted;
    this.#evicted = [];
    return evicted;
  }
}
