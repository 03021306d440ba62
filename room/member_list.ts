/**
 * A room's member list as the protocol pages it (C1, C8): every member,
 * wherever connected, ordered by client id, read from the store once per
 * change of presence rather than once per page.
 *
 * @module
 */

import type { Member } from "../store/store.ts";

/** A page of a room's members, ordered by client id (C1, C8). */
export interface MemberPage {
  /** Up to the page size, after the client id asked for. */
  readonly members: readonly Member[];
  /** How many members the room has. */
  readonly count: number;
  /** The last client id of `members` when more follow it, else null. */
  readonly next: string | null;
}

/** Options for {@linkcode MemberList}. */
export interface MemberListOptions {
  /**
   * Milliseconds a list read from the store is kept while only changes
   * applied to it ({@linkcode MemberList.apply}) keep it current: then it
   * is read again, so that a change it never heard of is not kept for ever.
   * @default {10000}
   */
  maxAge?: number;
  /** The clock, in milliseconds. */
  now?: () => number;
}

/**
 * The members of one room, read through `read` (the store's presence) and
 * kept sorted: changes the Hub knows of are applied to the list kept
 * ({@linkcode MemberList.apply}), so that a turn's joins cost their number,
 * not the room's size in reads and sorts; {@linkcode MemberList.changed}
 * forgets it instead.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "../store/memory.ts";
 *
 * const store = new MemoryStore();
 * await store.open("lobby", () => {});
 * const list = new MemberList(() => store.presence("lobby"));
 * const first = await list.page(undefined, 100);
 * const next = await list.page(first.next ?? undefined, 100);
 * list.apply([{ client: "c9", nick: "ada" }], []);
 * ```
 */
export class MemberList {
  readonly #read: () => Promise<Member[]>;
  readonly #maxAge: number;
  readonly #now: () => number;
  #sorted?: readonly Member[];
  /** When the list kept was read from the store. */
  #readAt = 0;
  /** Counts changes, so that a list read meanwhile is not kept. */
  #version = 0;

  /** Creates a list that reads the members with `read`. */
  constructor(read: () => Promise<Member[]>, options: MemberListOptions = {}) {
    this.#read = read;
    this.#maxAge = options.maxAge ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Forgets the members read: presence has changed in a way not known. */
  changed(): void {
    this.#version++;
    this.#sorted = undefined;
  }

  /**
   * Applies a change of presence already recorded in the store: the leaves
   * first, then the joins (a client joining again replaces itself). The list
   * kept, if any, becomes a new array: a list handed out stays as it was.
   * Costs the room's size once and the change's size times its logarithm.
   */
  apply(joined: readonly Member[], left: readonly Member[]): void {
    const sorted = this.#sorted;
    this.#version++;
    if (!sorted) return;
    this.#sorted = merged(sorted, joined, left);
  }

  /** Every member, ordered by client id (ordinal). */
  async all(): Promise<readonly Member[]> {
    if (this.#sorted && this.#now() - this.#readAt < this.#maxAge) {
      return this.#sorted;
    }
    const version = this.#version;
    const readAt = this.#now();
    const members = await this.#read();
    members.sort(byClient);
    if (version === this.#version) {
      this.#sorted = members;
      this.#readAt = readAt;
    }
    return members;
  }

  /** Up to `limit` members with client ids after `after`. */
  async page(after: string | undefined, limit: number): Promise<MemberPage> {
    return pageOf(await this.all(), after, limit);
  }
}

/** `sorted` without `left`, then with `joined`, still in client id order. */
function merged(
  sorted: readonly Member[],
  joined: readonly Member[],
  left: readonly Member[],
): Member[] {
  const gone = new Set<string>();
  for (const member of left) gone.add(member.client);
  // The last join of a client wins, as in the store; a client that joins
  // replaces itself, whether it also left or not.
  const arriving = new Map<string, Member>();
  for (const member of joined) arriving.set(member.client, member);
  const incoming = [...arriving.values()].sort(byClient);
  const out: Member[] = [];
  let i = 0;
  for (const member of sorted) {
    while (i < incoming.length && incoming[i].client < member.client) {
      out.push(incoming[i++]);
    }
    if (i < incoming.length && incoming[i].client === member.client) {
      out.push(incoming[i++]);
      continue;
    }
    if (!gone.has(member.client)) out.push(member);
  }
  while (i < incoming.length) out.push(incoming[i++]);
  return out;
}

/** Orders members by client id, ordinal (C1, C8). */
function byClient(a: Member, b: Member): number {
  return a.client < b.client ? -1 : a.client > b.client ? 1 : 0;
}

/**
 * Up to `limit` of `sorted` (ordered by client id) after the client id
 * `after`, found by bisection: a page costs its length, not the room's.
 *
 * @example
 * ```ts
 * const sorted = [{ client: "a", nick: null }, { client: "b", nick: null }];
 * pageOf(sorted, "a", 10); // { members: [b], count: 2, next: null }
 * ```
 */
export function pageOf(
  sorted: readonly Member[],
  after: string | undefined,
  limit: number,
): MemberPage {
  let low = 0;
  if (after !== undefined) {
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (sorted[mid].client <= after) low = mid + 1;
      else high = mid;
    }
  }
  const members = sorted.slice(low, low + limit);
  const more = low + limit < sorted.length;
  return {
    members,
    count: sorted.length,
    next: more && members.length > 0
      ? members[members.length - 1].client
      : null,
  };
}
