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

/**
 * The members of one room, read through `read` (the store's presence) and
 * kept sorted until {@linkcode MemberList.changed} says presence changed.
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
 * ```
 */
export class MemberList {
  readonly #read: () => Promise<Member[]>;
  #sorted?: Member[];
  /** Counts changes, so that a list read meanwhile is not kept. */
  #version = 0;

  /** Creates a list that reads the members with `read`. */
  constructor(read: () => Promise<Member[]>) {
    this.#read = read;
  }

  /** Forgets the members read: presence has changed. */
  changed(): void {
    this.#version++;
    this.#sorted = undefined;
  }

  /** Every member, ordered by client id (ordinal). */
  async all(): Promise<readonly Member[]> {
    if (this.#sorted) return this.#sorted;
    const version = this.#version;
    const members = await this.#read();
    members.sort(byClient);
    if (version === this.#version) this.#sorted = members;
    return members;
  }

  /** Up to `limit` members with client ids after `after`. */
  async page(after: string | undefined, limit: number): Promise<MemberPage> {
    return pageOf(await this.all(), after, limit);
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
