/**
 * The in-memory store: each room's history in this process, bounded by a
 * count and a byte budget, offsets and an epoch per room, the send keys
 * (C7) of the messages it keeps, and presence. natter's default; a room
 * closed here is forgotten, so when it is created again it starts at
 * offset 1 with a new epoch (R4, R6).
 *
 * @module
 */

import { newEpoch } from "./epoch.ts";
import { scopedKey } from "./send_key.ts";
import {
  type Appended,
  type Draft,
  type Feed,
  type Member,
  type Position,
  type Replay,
  roomNotOpen,
  type Store,
  type StoredMessage,
} from "./store.ts";
import { DEFAULTS } from "../settings/settings.ts";

/** Options for {@linkcode MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The most messages a room's history keeps; older ones are dropped first.
   * @default {500}
   */
  historySize?: number;
  /**
   * The most bytes a room's history may take, counted as
   * {@linkcode messageCost} does; older messages are dropped first.
   * @default {131072}
   */
  historyBytes?: number;
  /** The clock, in ms since the Unix epoch; tests replace it. */
  now?: () => number;
}

/**
 * What a stored message is counted as against a room's byte budget: its
 * text twice (once as is, once inside its serialised `message` event), two
 * bytes a character, plus a fixed allowance for the object and the event's
 * other fields (about 150 bytes for a short room name and nick); and its
 * scoped send key (C7), if it had one, twice too (in the key index both
 * ways).
 */
export function messageCost(text: string, key = ""): number {
  return 4 * (text.length + key.length) + MESSAGE_OVERHEAD;
}

/** The bytes {@linkcode messageCost} allows for a message besides its text. */
export const MESSAGE_OVERHEAD = 256;

class Room {
  readonly epoch = newEpoch();
  /** The latest offset given out. */
  offset = 0;
  /** The retained history: `messages[head]` is the oldest. */
  messages: StoredMessage[] = [];
  head = 0;
  bytes = 0;
  /** The scoped send key of each kept message that had one, to its offset. */
  readonly keys = new Map<string, number>();
  /** The same, the other way: what to forget as messages are dropped. */
  readonly keyed = new Map<number, string>();
  readonly members = new Map<string, Member>();
  feed?: Feed;

  /** The offset of the oldest retained message (latest + 1 when none). */
  get first(): number {
    return this.offset - (this.messages.length - this.head) + 1;
  }

  /** The retained messages with offsets in [from, to], oldest first. */
  range(from: number, to: number): StoredMessage[] {
    const first = this.first;
    const start = this.head + Math.max(from, first) - first;
    const end = this.head + Math.min(to, this.offset) - first + 1;
    return start < end ? this.messages.slice(start, end) : [];
  }

  trim(maxCount: number, maxBytes: number): void {
    while (
      this.messages.length - this.head > maxCount ||
      (this.bytes > maxBytes && this.messages.length > this.head)
    ) {
      const { text, offset } = this.messages[this.head];
      const key = this.keyed.get(offset);
      if (key !== undefined) {
        this.keyed.delete(offset);
        this.keys.delete(key);
      }
      this.bytes -= messageCost(text, key);
      this.head++;
    }
    // Compact now and then rather than shifting on every drop.
    if (this.head > 1024 && this.head * 2 > this.messages.length) {
      this.messages = this.messages.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * A {@linkcode Store} in this process's memory. Reading a room that is not
 * open finds it empty; writing to one rejects.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ historySize: 100 });
 * await store.open("lobby", (messages) => console.log(messages));
 * await store.append("lobby", [{ text: "hi", from: { client: "c1", nick: null } }]);
 * ```
 */
export class MemoryStore implements Store {
  readonly #rooms = new Map<string, Room>();
  readonly #historySize: number;
  readonly #historyBytes: number;
  readonly #now: () => number;

  /** Creates an empty store. */
  constructor(options: MemoryStoreOptions = {}) {
    this.#historySize = options.historySize ?? DEFAULTS.historySize;
    this.#historyBytes = options.historyBytes ?? DEFAULTS.historyBytes;
    this.#now = options.now ?? Date.now;
  }

  /** How many rooms the store holds. */
  get size(): number {
    return this.#rooms.size;
  }

  open(room: string, feed: Feed): Promise<Position> {
    let state = this.#rooms.get(room);
    if (!state) this.#rooms.set(room, state = new Room());
    state.feed = feed;
    return Promise.resolve({ epoch: state.epoch, offset: state.offset });
  }

  append(room: string, drafts: readonly Draft[]): Promise<Appended> {
    const state = this.#rooms.get(room);
    if (!state) return notOpen(room);
    const ts = this.#now();
    const messages: StoredMessage[] = [];
    const offsets: number[] = [];
    for (const draft of drafts) {
      const key = scopedKey(draft);
      // A repeat of a kept message, or of a draft before it in this call.
      const first = key === undefined ? undefined : state.keys.get(key);
      if (first !== undefined) {
        offsets.push(first);
        continue;
      }
      const offset = ++state.offset;
      const { text, from } = draft;
      messages.push({ room, offset, text, from, ts });
      offsets.push(offset);
      state.bytes += messageCost(text, key);
      if (key !== undefined) {
        state.keys.set(key, offset);
        state.keyed.set(offset, key);
      }
    }
    if (messages.length > 0) {
      state.messages.push(...messages);
      state.trim(this.#historySize, this.#historyBytes);
      state.feed?.(messages);
    }
    return Promise.resolve({ messages, offsets });
  }

  replay(
    room: string,
    upTo: number,
    options: { since?: Position; limit: number },
  ): Promise<Replay> {
    const state = this.#rooms.get(room);
    if (!state) return Promise.resolve({ recovered: false, messages: [] });
    const latest = Math.min(upTo, state.offset);
    const since = options.since;
    if (
      since && since.epoch === state.epoch && since.offset <= latest &&
      since.offset >= state.first - 1
    ) {
      const messages = state.range(since.offset + 1, latest);
      return Promise.resolve({ recovered: true, messages });
    }
    const from = Math.max(1, latest - options.limit + 1);
    const messages = options.limit > 0 ? state.range(from, latest) : [];
    return Promise.resolve({ recovered: false, messages });
  }

  before(
    room: string,
    before: number,
    limit: number,
  ): Promise<StoredMessage[]> {
    // A room not open here has no history (yet): a `history` command may
    // come in the same read as the join that opens it.
    const state = this.#rooms.get(room);
    if (!state) return Promise.resolve([]);
    const to = Math.min(before - 1, state.offset);
    if (limit <= 0 || to < 1) return Promise.resolve([]);
    return Promise.resolve(state.range(Math.max(1, to - limit + 1), to));
  }

  updatePresence(
    room: string,
    joined: readonly Member[],
    left: readonly Member[],
  ): Promise<void> {
    const state = this.#rooms.get(room);
    if (!state) return notOpen(room);
    const members = state.members;
    for (const member of left) members.delete(member.client);
    for (const member of joined) members.set(member.client, member);
    return Promise.resolve();
  }

  presence(room: string): Promise<Member[]> {
    const members = this.#rooms.get(room)?.members.values() ?? [];
    return Promise.resolve([...members]);
  }

  close(room: string): Promise<void> {
    this.#rooms.delete(room);
    return Promise.resolve();
  }
}

/**
 * The rejection of a write to a room that is not open: a store method
 * rejects, and never throws, whatever it is called with.
 */
function notOpen(room: string): Promise<never> {
  return Promise.reject(roomNotOpen(room));
}
