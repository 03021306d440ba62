/**
 * The Hub: one per room, the one owner of the room's members (A1) and of its
 * order (I4 per room), fed through three channels, register, unregister and
 * broadcast (A2).
 *
 * The Hub knows no protocol and never touches a WebSocket. It sees each
 * member as a {@linkcode Subscriber}, offers it batches without waiting,
 * and hands it typed outcomes (welcomed, refused, released, a receipt for
 * its message) that the member's session turns into frames, events or
 * closes. It lets a member go when its queue is full (A5). It awaits only
 * the room's store, which gives each message its offset (R6).
 *
 * Work is done a turn of the event loop at a time: once woken, the Hub lets
 * the turn finish, then admits the turn's joins, tells the other members who
 * came and went in one piece of news (E2), appends the turn's messages to
 * the store in one call, and offers what the store fed back to every member
 * as one batch (room/batch.ts) whose texts are built once (O1, S3).
 *
 * @module
 */

import { Arrivals } from "./room/arrivals.ts";
import { countMessages, FanOut } from "./room/fan_out.ts";
import type { HubOptions } from "./room/hub_options.ts";
import { Intake } from "./room/intake.ts";
import { MemberList, type MemberPage } from "./room/member_list.ts";
import { Members } from "./room/members.ts";
import { Pacer } from "./room/pacer.ts";
import { PresenceNews } from "./room/presence_news.ts";
import { StoreFeed } from "./room/store_feed.ts";
import { appendAll, measure, settle } from "./room/receipts.ts";
import {
  type Inbound,
  type Join,
  LEFT,
  type Subscriber,
} from "./room/subscriber.ts";
import type { Store } from "./store/store.ts";
import { Channel } from "./util/channel.ts";
import { select } from "./util/select.ts";
import { type CloseReason, GOING_AWAY } from "./util/close_reasons.ts";
import type { Log } from "./util/log.ts";
import { type Meter, NO_METER } from "./util/meter.ts";
import { nextTurn } from "./util/turns.ts";

export type { HubOptions } from "./room/hub_options.ts";
import { withDefaults } from "./settings/with_defaults.ts";

/**
 * A room's Hub. It opens the room in the store and starts running when
 * constructed, and stops when closed.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "./store/memory.ts";
 * import type { Subscriber } from "./room/subscriber.ts";
 * declare const subscriber: Subscriber;
 *
 * const hub = new Hub("lobby", new MemoryStore());
 * const member = { client: "c1", nick: "ada" };
 * hub.register.trySend({ subscriber, member });
 * const speaker = { refuse() {} };
 * hub.intake.offer(speaker, { text: "hi", from: member, sender: subscriber });
 * await hub.close();
 * ```
 */
export class Hub implements AsyncDisposable {
  /** Members to admit. */
  readonly register: Channel<Join>;
  /** Members to remove; removing one twice is harmless (A6). */
  readonly unregister: Channel<Subscriber>;
  /** Messages for every member, in this order (I4). */
  readonly broadcast: Channel<Inbound>;
  /**
   * The way in for every message: it waits its turn here when the broadcast
   * channel is full, within a bound shared by all senders (see intake.ts).
   */
  readonly intake: Intake<Inbound>;
  /** The room's name. */
  readonly room: string;
  readonly #members: Members;
  readonly #store: Store;
  /** The room's members, read from the store once per change. */
  readonly #memberList: MemberList;
  readonly #memberPage: number;
  readonly #arrivals: Arrivals;
  readonly #fanOut: FanOut;
  readonly #pacer: Pacer;
  readonly #news: PresenceNews;
  /** Woken when a count-only presence event is due (see presence_news.ts). */
  readonly #wake = new Channel<true>(1);
  readonly #onEmpty?: () => void;
  readonly #log: Log;
  readonly #meter: Meter;
  /** The room's feed from its store. */
  readonly #feed: StoreFeed;
  /** How members still here when the Hub closes are told to close. */
  #closeReason = GOING_AWAY;
  readonly #done: Promise<void>;

  /** Creates the Hub of `room`, whose history lives in `store`. */
  constructor(room: string, store: Store, options: HubOptions = {}) {
    const o = withDefaults(options);
    const backlog = o.backlog;
    this.room = room;
    this.register = new Channel(backlog);
    this.unregister = new Channel(backlog);
    this.broadcast = new Channel(backlog);
    this.intake = new Intake(this.broadcast, {
      capacity: o.maxWaiting,
      onDrop: (inbound) => inbound.receipt?.lost(),
    });
    this.#store = store;
    this.#log = options.log ?? (() => {});
    this.#feed = new StoreFeed(room, store, { backlog, log: this.#log });
    this.#meter = options.meter ?? NO_METER;
    this.#members = new Members(this.#meter);
    this.#memberList = new MemberList(() => store.presence(room));
    this.#memberPage = o.memberPage;
    this.#news = new PresenceNews(room, {
      members: this.#members,
      limit: o.presenceLimit,
      resume: Math.min(o.presenceResume, o.presenceLimit),
      interval: o.presenceInterval,
      wake: () => this.#wake.trySend(true),
    });
    this.#arrivals = new Arrivals(room, {
      members: this.#members,
      memberList: this.#memberList,
      news: this.#news,
      store,
      maxMembers: o.maxMembers,
      memberPage: this.#memberPage,
      replay: o.replay,
      log: this.#log,
    });
    // A batch fits a queue of the default size; pacing gathers half of one.
    const maxBatch = options.maxBatch ?? o.queueSize;
    this.#fanOut = new FanOut(room, {
      members: this.#members,
      memberList: this.#memberList,
      news: this.#news,
      maxBatch,
    });
    this.#pacer = new Pacer({
      budget: o.paceBudget,
      latency: o.latencyBudget,
      maxBatch,
    });
    this.#onEmpty = options.onEmpty;
    this.#done = this.#run();
  }

  /** How many members the room has now. */
  get size(): number {
    return this.#members.size;
  }

  /**
   * A page of the room's members, wherever they are connected, ordered by
   * client id (C8): up to `limit` after the client id `after`. Members are
   * read from the store once per change of presence, not once per page.
   */
  async members(after?: string, limit?: number): Promise<MemberPage> {
    return await this.#memberList.page(after, limit ?? this.#memberPage);
  }

  /** Whether requests are queued that the Hub has not handled yet. */
  get busy(): boolean {
    return this.register.size > 0 || this.broadcast.size > 0;
  }

  /**
   * Stops taking requests, handles what is already queued, then releases
   * every member still registered, to close with `reason` (by default
   * {@linkcode GOING_AWAY}).
   *
   * @returns a promise that settles when the loop has ended.
   */
  close(reason: CloseReason = GOING_AWAY): Promise<void> {
    this.#closeReason = reason;
    this.register.close();
    this.unregister.close();
    this.broadcast.close();
    // What the store feeds back for the requests still queued must reach
    // the members: the feed closes when the loop ends.
    return this.#done;
  }

  /** Same as {@linkcode Hub.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #run(): Promise<void> {
    const requests = [this.register, this.unregister, this.broadcast];
    const channels = [...requests, this.#feed.channel, this.#wake];
    for (;;) {
      await select(channels);
      // Let the rest of this turn's I/O arrive first: setImmediate runs
      // after the ready sockets' events, with no timer clamping.
      await nextTurn();
      // A room the store could not open is tried again on the next turn
      // that brings requests: the store may be back by then.
      try {
        if (!this.#feed.opened) {
          const position = await this.#feed.open();
          if (position) this.#fanOut.position = position;
        }
        if (this.#feed.opened) await this.#turn();
        else this.#refuseTurn();
      } catch (error) {
        // A fault of natter's own costs the turn it struck, never the room
        // or the process.
        this.#meter.internalError();
        const why = (error as Error)?.stack ?? String(error);
        this.#log(
          `room "${this.room}": internal error: ${why}`,
          { event: "internal_error", room: this.room },
          "error",
        );
      }
      if (requests.every((c) => c.closed && c.size === 0)) break;
      // A closing Hub does not wait.
      await this.#pacer.rest();
    }
    this.#feed.channel.close();
    this.#news.close();
    // The members leave the room's presence with the Hub, or a store that
    // outlives this server would list them for ever.
    const members = this.#members.all();
    if (members.length > 0) {
      await this.#store.updatePresence(this.room, [], members).catch(() => {});
    }
    const closed = { kind: "closed", close: this.#closeReason } as const;
    for (const subscriber of [...this.#members.subscribers()]) {
      this.#members.remove(subscriber, closed);
    }
  }

  async #turn(): Promise<void> {
    const members = this.#members;
    // What the turn handles is taken before the first await: requests that
    // arrive while the store answers wait for the next turn, so a message is
    // never handled before its sender's join.
    const joins = this.#arrivals.admit(this.register.takeAll());
    // Only members speak (a join the room refused sends nothing), and a
    // member's last messages still go out when it leaves in the same turn.
    const drafts = this.broadcast.takeAll().filter((inbound) =>
      !inbound.sender || members.has(inbound.sender)
    );
    const left = members.takeEvicted();
    // Members leaving this turn are let go at its end: what the turn owes
    // them (a welcome, receipts, the turn's messages) reaches them first.
    const leaving = members.departing(this.unregister.takeAll(), left);
    if (joins.length > 0 || left.length > 0) {
      const position = this.#fanOut.position;
      await this.#arrivals.announce(joins, left, position, leaving);
    }
    const offsets = drafts.length > 0
      ? await appendAll(this.#store, this.room, drafts, this.#log)
      : undefined;
    const fed = this.#feed.channel.takeAll();
    this.#pacer.sending(countMessages(fed));
    const fanning = this.#fanOut.deliver(fed);
    if (fanning) await fanning;
    if (drafts.length > 0) settle(members, drafts, offsets);
    for (const subscriber of leaving) members.remove(subscriber, LEFT);
    this.#wake.takeAll();
    this.#news.due();
    if (drafts.length > 0) measure(this.#meter, drafts);
    if (left.length > 0 && members.size === 0) this.#onEmpty?.();
  }

  /** While the room cannot be opened: refuses the turn's requests. */
  #refuseTurn(): void {
    Arrivals.refuse(this.register.takeAll(), "unavailable");
    this.unregister.takeAll();
    for (const { receipt } of this.broadcast.takeAll()) receipt?.lost();
    this.#feed.channel.takeAll();
    this.#wake.takeAll();
    // With nobody in it, the registry may free the room in time.
    this.#onEmpty?.();
  }
}
