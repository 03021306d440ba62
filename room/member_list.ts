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
  #sorted?: Member[];
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
   * first, then the joins (a client joining again replaces itself). A few
   * changes are made by bisection, many at once by one merge; both in
   * place, so that a room filling up allocates nothing the size of the
   * room each turn. A list {@linkcode MemberList.all} returned is therefore
   * good until the next change, not after it.
   */
  apply(joined: readonly Member[], left: readonly Member[]): void {
    const sorted = this.#sorted;
    this.#version++;
    if (!sorted) return;
    if (joined.length + left.length <= IN_PLACE) {
      for (const member of left) remove(sorted, member.client);
      for (const member of joined) insert(sorted, member);
    } else {
      merge(sorted, joined, left);
    }
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

/**
 * The most changes a turn applies one by one: each costs a bisection and a
 * move of the array's tail, which for a room of 10,000 is a few
 * microseconds; more than this are merged at once.
 */
const IN_PLACE = 64;

/** Where `client` is, or would go, in `sorted`. */
function indexOf(sorted: readonly Member[], client: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid].client < client) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Takes `client` out of `sorted`, if it is there. */
function remove(sorted: Member[], client: string): void {
  const i = indexOf(sorted, client);
  if (sorted[i]?.client === client) sorted.splice(i, 1);
}

/** Puts `member` into `sorted` in its place, replacing its client's entry. */
function insert(sorted: Member[], member: Member): void {
  const i = indexOf(sorted, member.client);
  if (sorted[i]?.client === member.client) sorted[i] = member;
  else sorted.splice(i, 0, member);
}

/**
 * Makes `sorted` itself be without `left`, then with `joined`, still in
 * client id order: the members who stay move down over those who left (or
 * are replaced where they stand), then the newcomers are merged in from
 * the end, so nothing the size of the room is allocated.
 */
function merge(
  sorted: Member[],
  joined: readonly Member[],
  left: readonly Member[],
): void {
  const gone = new Set<string>();
  for (const member of left) gone.add(member.client);
  // The last join of a client wins, as in the store; a client that joins
  // replaces itself, whether it also left or not.
  const arriving = new Map<string, Member>();
  for (const member of joined) arriving.set(member.client, member);
  let kept = 0;
  for (const member of sorted) {
    const again = arriving.get(member.client);
    if (again !== undefined) {
      sorted[kept++] = again;
      arriving.delete(member.client);
    } else if (!gone.has(member.client)) {
      sorted[kept++] = member;
    }
  }
  const incoming = [...arriving.values()].sort(byClient);
  let from = kept - 1;
  let to = kept + incoming.length - 1;
  sorted.length = to + 1;
  for (let i = incoming.length - 1; i >= 0; i--) {
    const member = incoming[i];
    while (from >= 0 && sorted[from].client > member.client) {
      sorted[to--] = sorted[from--];
    }
    sorted[to--] = member;
  }
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
