/**
 * Arrivals and departures: how a room's Hub admits a turn's joins (up to
 * the room's size), records who came and went in the store's presence,
 * tells the members already here in one piece of news (E2), and welcomes
 * each joiner that asked with what it missed and who is here (C1, C2).
 *
 * @module
 */

import { type MemberList, pageOf } from "./member_list.ts";
import { type Members, NOBODY } from "./members.ts";
import type { PresenceNews } from "./presence_news.ts";
import type { Join, Refusal, Subscriber } from "./subscriber.ts";
import type { Log } from "../util/log.ts";
import type { Member, Position, Replay, Store } from "../store/store.ts";

/** Options for {@linkcode Arrivals}. */
export interface ArrivalsOptions {
  /** The room's members. */
  readonly members: Members;
  /** The room's member list, read from the store's presence. */
  readonly memberList: MemberList;
  /** How the room tells its members of presence changes (E2). */
  readonly news: PresenceNews;
  /** The room's store. */
  readonly store: Store;
  /** The most members the room admits. */
  readonly maxMembers: number;
  /** The most members a welcome lists. */
  readonly memberPage: number;
  /** How many recent messages a welcome without recovery replays. */
  readonly replay: number;
  /** Where to report a store that failed. */
  readonly log: Log;
}

/**
 * One room's arrivals and departures.
 *
 * @example
 * ```ts
 * import { MemberList } from "./member_list.ts";
 * import { Members } from "./members.ts";
 * import { PresenceNews } from "./presence_news.ts";
 * import { MemoryStore } from "../store/memory.ts";
 * import { NO_METER } from "../util/meter.ts";
 * import type { Join } from "./subscriber.ts";
 * declare const join: Join;
 *
 * const store = new MemoryStore();
 * const position = await store.open("lobby", () => {});
 * const members = new Members(NO_METER);
 * const arrivals = new Arrivals("lobby", {
 *   members,
 *   memberList: new MemberList(() => store.presence("lobby")),
 *   news: new PresenceNews("lobby", {
 *     members,
 *     limit: 200,
 *     resume: 150,
 *     interval: 500,
 *     wake: () => {},
 *   }),
 *   store,
 *   maxMembers: 100,
 *   memberPage: 100,
 *   replay: 50,
 *   log: () => {},
 * });
 * await arrivals.announce(arrivals.admit([join]), [], position);
 * ```
 */
export class Arrivals {
  /** The room. */
  readonly room: string;
  readonly #options: ArrivalsOptions;

  /** Creates the arrivals of `room`. */
  constructor(room: string, options: ArrivalsOptions) {
    this.room = room;
    this.#options = options;
  }

  /** Admits the joins the room has room for; refuses the rest. */
  admit(joins: readonly Join[]): Join[] {
    const { members, maxMembers } = this.#options;
    const admitted: Join[] = [];
    for (const join of joins) {
      if (members.has(join.subscriber)) continue;
      if (members.size >= maxMembers) {
        join.subscriber.refused("room_full");
        continue;
      }
      members.add(join.subscriber, join.member);
      admitted.push(join);
    }
    return admitted;
  }

  /**
   * Records the turn's joins and leaves, tells the members who were already
   * here (E2, see presence_news.ts), and welcomes each join that asked (C1):
   * with the history up to `position`, the last message fanned out, so that
   * what follows reaches the joiner live, with no gap and no repeat (C2).
   * The turn's joiners share the work: one member page, and one replay for
   * all those that asked from the same place.
   */
  async announce(
    joins: readonly Join[],
    left: readonly Member[],
    position: Position,
    leaving: ReadonlySet<Subscriber> = NOBODY,
  ): Promise<void> {
    const { memberList, store, memberPage, news } = this.#options;
    // Who joins and leaves in the same turn is news to nobody, and must not
    // stay in the store's presence.
    const both = new Set<Member>();
    for (const join of joins) {
      if (leaving.has(join.subscriber)) both.add(join.member);
    }
    const joined = joins.map((join) => join.member)
      .filter((member) => !both.has(member));
    if (both.size > 0) left = left.filter((member) => !both.has(member));
    let presence: readonly Member[];
    try {
      await store.updatePresence(this.room, joined, left);
      memberList.apply(joined, left);
      presence = await memberList.all();
    } catch (error) {
      return this.fail(joins, error as Error);
    }
    const count = presence.length;
    if (joined.length > 0 || left.length > 0) {
      const newcomers = new Set(joins.map((join) => join.subscriber));
      news.tell(
        joined,
        left,
        count,
        (subscriber) => newcomers.has(subscriber) || leaving.has(subscriber),
      );
    }
    const page = pageOf(presence, undefined, memberPage);
    const replays = new Map<string, Promise<Replay>>();
    for (const join of joins) {
      if (!join.welcome || !this.#options.members.has(join.subscriber)) {
        continue;
      }
      let replayed;
      try {
        replayed = await this.#replay(replays, position, join.welcome.since);
      } catch (error) {
        this.fail([join], error as Error);
        continue;
      }
      join.subscriber.welcome?.({
        room: this.room,
        member: join.member,
        position,
        recovered: replayed.recovered,
        history: replayed.messages,
        presence: page,
        count,
      });
    }
  }

  /**
   * What a join from `since` is replayed, read once per turn for all the
   * joins from the same place (`replays` holds the turn's readings).
   */
  #replay(
    replays: Map<string, Promise<Replay>>,
    position: Position,
    since: Position | undefined,
  ): Promise<Replay> {
    const key = since ? `${since.offset} ${since.epoch}` : "";
    let replay = replays.get(key);
    if (!replay) {
      replay = this.#options.store.replay(this.room, position.offset, {
        since,
        limit: this.#options.replay,
      });
      replays.set(key, replay);
    }
    return replay;
  }

  /** Turns away joins the store failed: they are members no more. */
  fail(joins: readonly Join[], error: Error): void {
    this.#options.log(`room "${this.room}": ${error.message}`);
    for (const join of joins) {
      if (this.#options.members.forget(join.subscriber)) {
        join.subscriber.refused("unavailable");
      }
    }
  }

  /** Refuses joins without looking at them: the room is unavailable. */
  static refuse(joins: readonly Join[], refusal: Refusal): void {
    for (const join of joins) join.subscriber.refused(refusal);
  }
}
