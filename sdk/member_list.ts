/**
 * Who is in a room, as far as the client knows: the list the join brought,
 * kept current by presence events while they carry lists, and read page by
 * page (the `members` command) when asked, or on its own once a room that
 * was too large for lists has shrunk and lists come back.
 *
 * @module
 */

import type { Member, MembersEvent, PresenceEvent } from "./frames.ts";

/** Reads one page of members, after the client id `after`. */
export type PageReader = (after: string | undefined) => Promise<MembersEvent>;

/**
 * The most members a reading collects. natter's rooms admit 10000 by
 * default; past this many, `count` still says how many there are.
 */
export const MAX_MEMBERS_READ = 10_000;

/**
 * A room's members and count.
 *
 * @example
 * ```ts
 * const list = new MemberList(() => Promise.reject(new Error("offline")));
 * list.joined([{ client: "a-1", nick: "ada" }], 1);
 * list.presence({
 *   type: "presence",
 *   room: "lobby",
 *   joined: [{ client: "b-2", nick: "bo" }],
 *   left: [],
 *   count: 2,
 * });
 * [...list.members.values()].map((m) => m.nick); // ["ada", "bo"]
 * ```
 */
export class MemberList {
  readonly #readPage: PageReader;
  #members = new Map<string, Member>();
  #count = 0;
  #listed = false;
  /** The last presence event came without lists: the room is large. */
  #countOnly = false;
  #reading?: { into: Map<string, Member>; done: Promise<void> };

  /** A list that reads pages with `readPage`. */
  constructor(readPage: PageReader) {
    this.#readPage = readPage;
  }

  /** The members known, by client id. */
  get members(): ReadonlyMap<string, Member> {
    return this.#members;
  }

  /** How many members the room has, by the server's last word. */
  get count(): number {
    return this.#count;
  }

  /**
   * Whether {@linkcode members} holds every member and is kept current:
   * false in a room larger than one page (until read) or too large for
   * presence lists.
   */
  get listed(): boolean {
    return this.#listed;
  }

  /**
   * The join's first page of members, and the room's count. Returns who
   * came and went since the list known before, when both lists are whole
   * (a rejoin after a drop); otherwise nothing.
   */
  joined(
    presence: readonly Member[],
    count: number,
  ): { joined: Member[]; left: Member[] } {
    const before = this.#listed ? this.#members : undefined;
    this.#members = new Map(
      presence.slice(0, MAX_MEMBERS_READ).map((m) => [m.client, m]),
    );
    this.#count = count;
    this.#countOnly = false;
    this.#listed = this.#members.size >= count;
    if (!before || !this.#listed) return { joined: [], left: [] };
    const now = this.#members;
    return {
      joined: [...now.values()].filter((m) => !before.has(m.client)),
      left: [...before.values()].filter((m) => !now.has(m.client)),
    };
  }

  /** Applies a presence event. */
  presence(event: PresenceEvent): void {
    this.#count = event.count;
    if (event.joined.length === 0 && event.left.length === 0) {
      this.#countOnly = true;
      this.#listed = false;
      return;
    }
    const resumed = this.#countOnly;
    this.#countOnly = false;
    const lists = [this.#members];
    if (this.#reading) lists.push(this.#reading.into);
    for (const list of lists) {
      for (const m of event.left) list.delete(m.client);
      for (const m of event.joined) {
        if (list.size < MAX_MEMBERS_READ) list.set(m.client, m);
        else if (list === this.#members) this.#listed = false;
      }
    }
    // Back below the size for lists: what was known is stale; read it all.
    if (resumed) this.read().catch(() => {});
  }

  /**
   * Reads every member (up to {@linkcode MAX_MEMBERS_READ}) page by page;
   * a reading under way is shared.
   */
  async read(): Promise<ReadonlyMap<string, Member>> {
    if (!this.#reading) {
      const into = new Map<string, Member>();
      const reading = { into, done: this.#readInto(into) };
      this.#reading = reading;
      reading.done.finally(() => {
        if (this.#reading === reading) this.#reading = undefined;
      }).catch(() => {});
    }
    await this.#reading.done;
    return this.#members;
  }

  async #readInto(into: Map<string, Member>): Promise<void> {
    this.#listed = false;
    let after: string | undefined;
    let next: string | null = null;
    do {
      const page = await this.#readPage(after);
      for (const m of page.members) into.set(m.client, m);
      this.#count = page.count;
      next = page.next;
      // Pages go forward in client id order: a server that goes back is not
      // followed round in a circle.
      if (next !== null && after !== undefined && next <= after) break;
      after = next ?? undefined;
    } while (next !== null && into.size < MAX_MEMBERS_READ);
    this.#members = into;
    this.#listed = next === null && !this.#countOnly;
  }
}
