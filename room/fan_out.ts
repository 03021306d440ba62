/**
 * The fan-out: how a room's Hub offers what its store fed back to every
 * member, in the store's order (I4): messages as shared batches (S3),
 * presence changes made on other servers as news, and a reset of the
 * room's history as the eviction of every member (R6).
 *
 * @module
 */

import { Batch } from "./batch.ts";
import type { MemberList } from "./member_list.ts";
import type { Members } from "./members.ts";
import type { PresenceNews } from "./presence_news.ts";
import { HISTORY_RESET } from "./subscriber.ts";
import type { Member, Position, StoredMessage } from "../store/store.ts";
import { nextTurn } from "../util/turns.ts";

/**
 * What the store fed, in its order: messages, presence changes made
 * elsewhere, or a reset of the room's stream.
 */
export type Fed =
  | readonly StoredMessage[]
  | Presence
  | { readonly reset: Position };

/**
 * How many messages `fed` holds.
 *
 * @example
 * ```ts
 * import { stored } from "../test_util/messages.ts";
 *
 * countMessages([stored(["a", "b"]), { reset: { epoch: "e", offset: 0 } }]); // 2
 * ```
 */
export function countMessages(fed: readonly Fed[]): number {
  let count = 0;
  for (const item of fed) if (Array.isArray(item)) count += item.length;
  return count;
}

/** Presence changed on another server: who joined and who left there. */
interface Presence {
  readonly joined: readonly Member[];
  readonly left: readonly Member[];
}

/** Options for {@linkcode FanOut}. */
export interface FanOutOptions {
  /** The room's members, to offer to. */
  readonly members: Members;
  /** The room's member list, told of presence changes made elsewhere. */
  readonly memberList: MemberList;
  /** How the room tells its members of presence changes (E2). */
  readonly news: PresenceNews;
  /** The most messages offered as one batch. */
  readonly maxBatch: number;
}

/**
 * One room's fan-out, and the position of the last message it offered.
 *
 * @example
 * ```ts
 * import { MemberList } from "./member_list.ts";
 * import { Members } from "./members.ts";
 * import { PresenceNews } from "./presence_news.ts";
 * import { NO_METER } from "../util/meter.ts";
 * import { stored } from "../test_util/messages.ts";
 *
 * const members = new Members(NO_METER);
 * const memberList = new MemberList(() => Promise.resolve([]));
 * const news = new PresenceNews("lobby", {
 *   members,
 *   limit: 200,
 *   resume: 150,
 *   interval: 500,
 *   wake: () => {},
 * });
 * const fanOut = new FanOut("lobby", {
 *   members,
 *   memberList,
 *   news,
 *   maxBatch: 256,
 * });
 * await fanOut.deliver([stored(["hello"])]);
 * fanOut.position.offset; // 1
 * ```
 */
export class FanOut {
  /** The room. */
  readonly room: string;
  /** Where the room is: the last message offered, in its epoch. */
  position: Position = { epoch: "", offset: 0 };
  readonly #members: Members;
  readonly #memberList: MemberList;
  readonly #news: PresenceNews;
  readonly #maxBatch: number;

  /** Creates the fan-out of `room`. */
  constructor(room: string, options: FanOutOptions) {
    this.room = room;
    this.#members = options.members;
    this.#memberList = options.memberList;
    this.#news = options.news;
    this.#maxBatch = options.maxBatch;
  }

  /**
   * Offers what the store fed, in its order. A burst larger than a batch
   * goes out a batch per turn of the event loop.
   */
  deliver(fed: Fed[]): Promise<void> | void {
    if (fed.every((item) => Array.isArray(item))) {
      return this.#messages(fed as (readonly StoredMessage[])[]);
    }
    return this.#mixed(fed);
  }

  async #mixed(fed: Fed[]): Promise<void> {
    let run: (readonly StoredMessage[])[] = [];
    for (const item of fed) {
      if (Array.isArray(item)) {
        run.push(item as readonly StoredMessage[]);
        continue;
      }
      if (run.length > 0) await this.#messages(run);
      run = [];
      if ("reset" in item) this.#reset(item.reset);
      else await this.#presence(item as Presence);
    }
    await this.#messages(run);
  }

  /** A reset: what members hold no longer matches the room's history. */
  #reset(position: Position): void {
    this.position = position;
    for (const subscriber of [...this.#members.subscribers()]) {
      this.#members.remove(subscriber, HISTORY_RESET);
    }
  }

  /** Presence changed on another server: news for every member here (E2). */
  async #presence(change: Presence): Promise<void> {
    this.#memberList.apply(change.joined, change.left);
    let count: number;
    try {
      count = (await this.#memberList.all()).length;
    } catch {
      // Unknown for now: what this server's members know.
      count = this.#members.size;
    }
    this.#news.tell(change.joined, change.left, count);
  }

  #messages(fed: (readonly StoredMessage[])[]): Promise<void> | void {
    const messages = fed.length === 1 ? fed[0] : fed.flat();
    if (messages.length > this.#maxBatch) return this.#parts(messages);
    if (messages.length > 0) this.#offerAll(messages);
  }

  async #parts(messages: readonly StoredMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += this.#maxBatch) {
      // The writers woken by the last batch have handed it to their sockets;
      // Deno writes it out only when the event loop turns. Without the turn
      // every batch of a big burst would count as unsent at once, pausing
      // (and then evicting) members that keep up perfectly well.
      if (i > 0) await nextTurn();
      this.#offerAll(messages.slice(i, i + this.#maxBatch));
    }
  }

  #offerAll(messages: readonly StoredMessage[]): void {
    const last = messages[messages.length - 1];
    this.position = { epoch: this.position.epoch, offset: last.offset };
    this.#members.offerAll(new Batch(messages));
  }
}
