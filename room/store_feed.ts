/**
 * A room's feed from its store: opening the room in the store (again on
 * each turn until it opens, the failure logged once), and the channel
 * through which the store feeds back, in offset order, the messages
 * appended, presence changed elsewhere, and resets of the room's stream.
 *
 * @module
 */

import type { Fed } from "./fan_out.ts";
import type { Position, Store } from "../store/store.ts";
import { Channel } from "../util/channel.ts";
import type { Log } from "../util/log.ts";

/** Options for {@linkcode StoreFeed}. */
export interface StoreFeedOptions {
  /** How many fed items may wait for the Hub before the store waits. */
  readonly backlog: number;
  /** Where to report that the room could not be opened. */
  readonly log: Log;
}

/**
 * One room's feed from its store.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "../store/memory.ts";
 *
 * const feed = new StoreFeed("lobby", new MemoryStore(), {
 *   backlog: 8192,
 *   log: console.log,
 * });
 * const position = await feed.open(); // { epoch, offset: 0 }
 * feed.channel.takeAll(); // what the store fed since
 * ```
 */
export class StoreFeed {
  /** What the store feeds back, in its order. */
  readonly channel: Channel<Fed>;
  readonly #room: string;
  readonly #store: Store;
  readonly #log: Log;
  #opened = false;
  /** Whether the last attempt to open the room failed (it was logged). */
  #failing = false;

  /** Creates the feed of `room` from `store`; the room is not open yet. */
  constructor(room: string, store: Store, options: StoreFeedOptions) {
    this.#room = room;
    this.#store = store;
    this.#log = options.log;
    this.channel = new Channel(options.backlog);
  }

  /** Whether the store has opened the room. */
  get opened(): boolean {
    return this.#opened;
  }

  /**
   * Opens the room in the store.
   *
   * @returns the room's position, or `undefined` if the store failed.
   */
  async open(): Promise<Position | undefined> {
    // Every item the store feeds must be fanned out, so it waits for room
    // rather than being refused; waiting items keep their order.
    const fed = (item: Fed) => void this.channel.send(item).catch(() => {});
    let position: Position;
    try {
      position = await this.#store.open(this.#room, fed, {
        presence: (joined, left) => fed({ joined, left }),
        reset: (position) => fed({ reset: position }),
      });
    } catch (error) {
      if (!this.#failing) {
        const why = (error as Error).message;
        this.#log(`room "${this.#room}" unavailable: ${why}`);
      }
      this.#failing = true;
      return undefined;
    }
    this.#opened = true;
    this.#failing = false;
    return position;
  }
}
