/**
 * Presence news (E2): how a room tells its members who came and went, at a
 * cost to each member that stays bounded however many arrive at once.
 *
 * A room of up to `limit` members (200 by default) tells every change as it
 * happens, with the lists of who joined and left. Above that it tells only
 * its count, at most once per interval: 500 ms, plus 1 ms for every 10
 * members above 5,000, so that a room's presence costs about the same number
 * of frames a second whatever its size. Lists resume once the room is back
 * at `resume` members or fewer (150 by default); the gap between the two
 * sizes keeps a room that hovers at the limit from switching back and forth,
 * which would make every member read the list again each time.
 *
 * @module
 */

import { Batch } from "./batch.ts";
import type { Members } from "./members.ts";
import type { Subscriber } from "./subscriber.ts";
import type { Member } from "../store/store.ts";

/** Options for {@linkcode PresenceNews}. */
export interface PresenceNewsOptions {
  /** The room's members, who are told. */
  readonly members: Members;
  /** Members above which the room tells only its count. */
  readonly limit: number;
  /** Members at or below which a count-only room lists changes again. */
  readonly resume: number;
  /** The least milliseconds between two count-only events. */
  readonly interval: number;
  /**
   * Asks the room's Hub for a turn, in which it calls
   * {@linkcode PresenceNews.due}: a count-only event is due.
   */
  readonly wake: () => void;
  /** The clock, in milliseconds. */
  readonly now?: () => number;
}

/** Members above which a count-only room's interval grows. */
const SLOWER_ABOVE = 5000;

/** Members per extra millisecond of a count-only room's interval. */
const MEMBERS_PER_MS = 10;

/**
 * One room's presence news.
 *
 * @example
 * ```ts
 * import { Members } from "./members.ts";
 * import { NO_METER } from "../util/meter.ts";
 *
 * const news = new PresenceNews("lobby", {
 *   members: new Members(NO_METER),
 *   limit: 200,
 *   resume: 150,
 *   interval: 500,
 *   wake: () => {},
 * });
 * news.tell([{ client: "c1", nick: "ada" }], [], 1); // listed at once
 * news.tell([], [], 5000); // count only, when due
 * news.due(); // called by the Hub each turn
 * news.close();
 * ```
 */
export class PresenceNews {
  /** The room. */
  readonly room: string;
  readonly #options: PresenceNewsOptions;
  readonly #now: () => number;
  #countOnly = false;
  /** The count still to tell, in a count-only room. */
  #pending?: number;
  #toldAt = -Infinity;
  #timer?: ReturnType<typeof setTimeout>;

  /** Creates the presence news of `room`. */
  constructor(room: string, options: PresenceNewsOptions) {
    this.room = room;
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Whether the room tells only its count now. */
  get countOnly(): boolean {
    return this.#countOnly;
  }

  /**
   * Tells the members, but those `skip` names, that `joined` came and
   * `left` went, leaving `count` members: at once with the lists, or, in a
   * room too large for them, as its count when next due (to every member).
   */
  tell(
    joined: readonly Member[],
    left: readonly Member[],
    count: number,
    skip: (subscriber: Subscriber) => boolean = () => false,
  ): void {
    const { limit, resume, members } = this.#options;
    const lists = count <= (this.#countOnly ? resume : limit);
    if (!lists) {
      this.#countOnly = true;
      this.#pending = count;
      this.#schedule();
      return;
    }
    this.#countOnly = false;
    this.#pending = undefined;
    if (joined.length === 0 && left.length === 0) return;
    const news = Batch.of({ room: this.room, joined, left, count });
    for (const subscriber of members.subscribers()) {
      if (!skip(subscriber)) members.offer(subscriber, news);
    }
  }

  /** Tells a count-only room's count if one is due; called every turn. */
  due(): void {
    const count = this.#pending;
    if (count === undefined) return;
    if (this.#wait(count) > 0) return this.#schedule();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
    this.#toldAt = this.#now();
    const news = Batch.of({ room: this.room, joined: [], left: [], count });
    this.#options.members.offerAll(news);
  }

  /** Stops the timer: the room has closed. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
  }

  /** Milliseconds until a count-only event for `count` members is due. */
  #wait(count: number): number {
    const extra = Math.max(0, count - SLOWER_ABOVE) / MEMBERS_PER_MS;
    const interval = this.#options.interval + extra;
    return this.#toldAt + interval - this.#now();
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#pending === undefined) return;
    const wait = Math.max(0, Math.ceil(this.#wait(this.#pending)));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#options.wake();
    }, wait);
  }
}
