/**
 * The Hub: one per room, the one owner of the room's members (A1) and of its
 * order (I4 per room), fed through three channels, register, unregister and
 * broadcast (A2).
 *
 * The Hub never touches a WebSocket and never awaits a client: it sees each
 * member as a {@linkcode Subscriber}, offers it batches without waiting, and
 * lets it go when its queue is full (A5). It awaits only the room's store,
 * which gives each message its offset (R6).
 *
 * Work is done a turn of the event loop at a time: once woken, the Hub lets
 * the turn finish, then admits the turn's joins (with their replies), tells
 * the other members who came and went in one `presence` event (E2), appends
 * the turn's messages to the store in one call, and offers what the store
 * fed back to every member as one {@linkcode Batch} whose texts are built
 * once (O1, S3).
 *
 * @module
 */

import { setImmediate } from "node:timers";
import {
  type CloseReason,
  GOING_AWAY,
  HISTORY_RESET,
  QUEUE_FULL,
  ROOM_FULL,
  UNAVAILABLE,
} from "./util/close_reasons.ts";
export {
  type CloseReason,
  GOING_AWAY,
  HISTORY_RESET,
  QUEUE_FULL,
} from "./util/close_reasons.ts";
import { Batch } from "./room/batch.ts";
import { Channel, select } from "./util/channel.ts";
import { Intake } from "./room/intake.ts";
import {
  ackEvent,
  errorEvent,
  joinedEvent,
  type MemberPage,
  presenceEvent,
} from "./protocol/events.ts";
import type { Log } from "./util/log.ts";
import { MemberList, pageOf } from "./room/member_list.ts";
import { type Meter, NO_METER } from "./util/meter.ts";
import type { Member, Position, Store, StoredMessage } from "./store/store.ts";
import type {
  HubOptions,
  Inbound,
  Join,
  Subscriber,
} from "./room/hub_options.ts";

export type {
  HubOptions,
  Inbound,
  Join,
  Subscriber,
} from "./room/hub_options.ts";

/**
 * What the store fed, in its order: messages, presence changes made
 * elsewhere, or a reset of the room's stream.
 */
type Fed =
  | readonly StoredMessage[]
  | { readonly joined: readonly Member[]; readonly left: readonly Member[] }
  | { readonly reset: Position };

/**
 * Resolves once the event loop has turned: after the I/O that was ready,
 * including the writes of what the sockets were handed, with no timer
 * clamping.
 */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Resolves after `ms` milliseconds. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** No subscriber: a turn in which nobody leaves allocates no set of them. */
const NOBODY: ReadonlySet<Subscriber> = new Set();

/** The longest a loaded room waits between turns to fill its frames, ms. */
const MAX_PACE = 10;

/**
 * A room's Hub. It opens the room in the store and starts running when
 * constructed, and stops when closed.
 *
 * @example
 * ```ts
 * const hub = new Hub("lobby", new MemoryStore());
 * hub.register.trySend({ subscriber, member: { client: "c1", nick: null } });
 * hub.broadcast.trySend({ text: "hello", from: member, sender: subscriber });
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
   * Where members' messages wait their turn when the broadcast channel is
   * full, within a bound shared by all senders (see intake.ts).
   */
  readonly intake: Intake<Inbound>;
  /** The room's name. */
  readonly room: string;
  readonly #members = new Map<Subscriber, Member>();
  readonly #store: Store;
  readonly #maxBatch: number;
  readonly #maxMembers: number;
  readonly #replay: number;
  readonly #memberPage: number;
  /** The room's members, read from the store once per change. */
  readonly #memberList: MemberList;
  readonly #paceBudget: number;
  /** When the current turn began to offer, for its pacing. */
  #sendsFrom?: number;
  readonly #onEmpty?: () => void;
  readonly #log: Log;
  readonly #meter: Meter;
  /** What the store feeds back, in offset order. */
  readonly #fed: Channel<Fed>;
  #position: Position = { epoch: "", offset: 0 };
  /** How members still here when the Hub closes are told to close. */
  #closeReason = GOING_AWAY;
  /** Whether the store has opened the room; until then, joins are refused. */
  #opened = false;
  /** Whether the last attempt to open the room failed (it was logged). */
  #failing = false;
  /** Members evicted since the last presence event. */
  #evicted: Member[] = [];
  readonly #done: Promise<void>;

  /** Creates the Hub of `room`, whose history lives in `store`. */
  constructor(room: string, store: Store, options: HubOptions = {}) {
    const backlog = options.backlog ?? 8192;
    this.room = room;
    this.register = new Channel(backlog);
    this.unregister = new Channel(backlog);
    this.broadcast = new Channel(backlog);
    this.intake = new Intake(this.broadcast, { capacity: options.maxWaiting });
    this.#fed = new Channel(backlog);
    this.#store = store;
    this.#maxBatch = options.maxBatch ?? 256;
    this.#maxMembers = options.maxMembers ?? 10_000;
    this.#replay = options.replay ?? 50;
    this.#memberPage = options.memberPage ?? 100;
    this.#memberList = new MemberList(() => store.presence(room));
    this.#paceBudget = options.paceBudget ?? 2;
    this.#onEmpty = options.onEmpty;
    this.#log = options.log ?? (() => {});
    this.#meter = options.meter ?? NO_METER;
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
   * every member still registered with `reason` (by default
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
    const channels = [...requests, this.#fed];
    for (;;) {
      await select(channels);
      // Let the rest of this turn's I/O arrive first: setImmediate runs
      // after the ready sockets' events, with no timer clamping.
      await nextTurn();
      // A room the store could not open is tried again on the next turn
      // that brings requests: the store may be back by then.
      try {
        if (this.#opened || await this.#open()) await this.#turn();
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
      // Sends cost per frame, whatever the frame holds: a room whose turns
      // grow expensive waits before the next, so the next frames carry
      // more messages for the same cost. A closing Hub does not wait.
      // From the turn's first offer: the writers it woke run as microtasks
      // before the turn's promise settles, so this is the cost of its sends,
      // and not of the store's round trips before them.
      const cost = this.#sendsFrom === undefined
        ? 0
        : performance.now() - this.#sendsFrom;
      this.#sendsFrom = undefined;
      if (this.#paceBudget > 0 && cost > this.#paceBudget) {
        await pause(Math.min(cost, MAX_PACE));
      }
    }
    this.#fed.close();
    // The members leave the room's presence with the Hub, or a store that
    // outlives this server would list them for ever.
    const members = [...this.#members.values()];
    if (members.length > 0) {
      await this.#store.updatePresence(this.room, [], members).catch(() => {});
    }
    for (const subscriber of this.#members.keys()) {
      this.#remove(subscriber, this.#closeReason);
    }
  }

  async #open(): Promise<boolean> {
    // Every item the store feeds must be fanned out, so it waits for room
    // rather than being refused; waiting items keep their order.
    const fed = (item: Fed) => void this.#fed.send(item).catch(() => {});
    try {
      this.#position = await this.#store.open(this.room, fed, {
        presence: (joined, left) => fed({ joined, left }),
        reset: (position) => fed({ reset: position }),
      });
    } catch (error) {
      if (!this.#failing) {
        const why = (error as Error).message;
        this.#log(`room "${this.room}" unavailable: ${why}`);
      }
      this.#failing = true;
      return false;
    }
    this.#opened = true;
    this.#failing = false;
    return true;
  }

  async #turn(): Promise<void> {
    // What the turn handles is taken before the first await: requests that
    // arrive while the store answers wait for the next turn, so a message is
    // never handled before its sender's join.
    const joins = this.#admit(this.register.takeAll());
    // Only members speak (a join the room refused sends nothing), and a
    // member's last messages still go out when it leaves in the same turn.
    const drafts = this.broadcast.takeAll().filter((inbound) =>
      !inbound.sender || this.#members.has(inbound.sender)
    );
    const left = this.#evicted;
    this.#evicted = [];
    // Members leaving this turn are let go at its end: what the turn owes
    // them (a joined reply, acks, the turn's messages) reaches them first.
    let leaving = NOBODY;
    const unregistered = this.unregister.takeAll();
    if (unregistered.length > 0) {
      const set = new Set<Subscriber>();
      for (const subscriber of unregistered) {
        const member = this.#members.get(subscriber);
        if (member === undefined || set.has(subscriber)) continue;
        set.add(subscriber);
        left.push(member);
      }
      leaving = set;
    }
    if (joins.length > 0 || left.length > 0) {
      await this.#presence(joins, left, leaving);
    }
    const acks = drafts.length > 0 ? await this.#append(drafts) : undefined;
    this.#sendsFrom = performance.now();
    const fanning = this.#fanOutFed(this.#fed.takeAll(), acks);
    if (fanning) await fanning;
    for (const subscriber of leaving) this.#remove(subscriber);
    if (drafts.length > 0) this.#measure(drafts);
    if (left.length > 0 && this.#members.size === 0) this.#onEmpty?.();
  }

  /** Counts a turn's messages and how long each waited to go out. */
  #measure(drafts: Inbound[]): void {
    this.#meter.received(drafts.length);
    const now = performance.now();
    for (const { at } of drafts) {
      if (at !== undefined) this.#meter.fannedOut((now - at) / 1000);
    }
  }

  /** Admits the joins the room has room for; refuses the rest. */
  #admit(joins: Join[]): Join[] {
    const admitted: Join[] = [];
    for (const join of joins) {
      if (this.#members.has(join.subscriber)) continue;
      if (this.#members.size >= this.#maxMembers) {
        this.#refuse(join, "room_full", `Room "${this.room}" is full`);
        continue;
      }
      this.#members.set(join.subscriber, join.member);
      admitted.push(join);
    }
    return admitted;
  }

  /**
   * Records the turn's joins and leaves, tells the members who were already
   * here in one `presence` event (E2), and answers each natter.v1 join
   * with `joined` (C1, C2): the history up to the last message fanned out,
   * so that what follows reaches the joiner live, with no gap and no repeat.
   */
  async #presence(
    joins: Join[],
    left: Member[],
    leaving: ReadonlySet<Subscriber> = NOBODY,
  ): Promise<void> {
    // Who joins and leaves in the same turn is news to nobody, and must not
    // stay in the store's presence.
    const both = new Set<Member>();
    for (const join of joins) {
      if (leaving.has(join.subscriber)) both.add(join.member);
    }
    const joined = joins.map((join) => join.member)
      .filter((member) => !both.has(member));
    if (both.size > 0) left = left.filter((member) => !both.has(member));
    const { epoch, offset } = this.#position;
    let presence: readonly Member[];
    try {
      await this.#store.updatePresence(this.room, joined, left);
      this.#memberList.changed();
      presence = await this.#memberList.all();
    } catch (error) {
      return this.#failJoins(joins, error as Error);
    }
    const count = presence.length;
    const news = Batch.of(presenceEvent(this.room, joined, left, count));
    const page = pageOf(presence, undefined, this.#memberPage).members;
    const newcomers = new Set(joins.map((join) => join.subscriber));
    const changed = joined.length > 0 || left.length > 0;
    for (const subscriber of changed ? this.#members.keys() : []) {
      if (newcomers.has(subscriber) || leaving.has(subscriber)) continue;
      this.#offer(subscriber, news);
    }
    for (const join of joins) {
      if (!join.reply) continue;
      let replay;
      try {
        replay = await this.#store.replay(this.room, offset, {
          since: join.reply.since,
          limit: this.#replay,
        });
      } catch (error) {
        this.#failJoins([join], error as Error);
        continue;
      }
      this.#offer(
        join.subscriber,
        Batch.of(joinedEvent({
          id: join.reply.id,
          room: this.room,
          nick: join.member.nick ?? "",
          client: join.member.client,
          epoch,
          offset,
          recovered: replay.recovered,
          history: replay.messages,
          presence: page,
          count,
        })),
      );
    }
  }

  /**
   * Appends the turn's messages in one call; the store feeds them back.
   *
   * @returns the acks to offer each natter.v1 sender once they are out.
   */
  async #append(
    drafts: Inbound[],
  ): Promise<Map<Subscriber, string[]> | undefined> {
    const acks = new Map<Subscriber, string[]>();
    try {
      const stored = await this.#store.append(this.room, drafts);
      for (let i = 0; i < drafts.length; i++) {
        const { ack, sender } = drafts[i];
        drafts[i].stored?.(stored[i].offset);
        if (!ack || !sender || !this.#members.has(sender)) continue;
        const event = ackEvent(ack.id, this.room, stored[i].offset);
        const list = acks.get(sender);
        if (list) list.push(event);
        else acks.set(sender, [event]);
      }
    } catch (error) {
      // Nothing is acknowledged that the store did not take.
      this.#log(`room "${this.room}": ${(error as Error).message}`);
      for (const { ack, sender, stored } of drafts) {
        stored?.(undefined);
        if (!sender || !this.#members.has(sender)) continue;
        if (!ack) {
          this.#remove(sender, UNAVAILABLE);
          continue;
        }
        const event = errorEvent(
          ack.id,
          "unavailable",
          "The message store is unavailable; the message was not sent",
        );
        this.#offer(sender, Batch.of(event));
      }
    }
    // Most turns of a plain room have no ack at all: nothing to carry.
    return acks.size > 0 ? acks : undefined;
  }

  /**
   * Offers what the store fed, in its order: messages (then the acks, with
   * the last of them), presence changes made elsewhere, resets.
   */
  #fanOutFed(
    fed: Fed[],
    acks?: Map<Subscriber, string[]>,
  ): Promise<void> | void {
    if (fed.every((item) => Array.isArray(item))) {
      return this.#fanOut(fed as (readonly StoredMessage[])[], acks);
    }
    return this.#fanOutMixed(fed, acks);
  }

  async #fanOutMixed(fed: Fed[], acks?: Map<Subscriber, string[]>) {
    let run: (readonly StoredMessage[])[] = [];
    for (const item of fed) {
      if (Array.isArray(item)) {
        run.push(item as readonly StoredMessage[]);
        continue;
      }
      if (run.length > 0) await this.#fanOut(run);
      run = [];
      if ("reset" in item) {
        this.#position = item.reset;
        for (const subscriber of [...this.#members.keys()]) {
          this.#remove(subscriber, HISTORY_RESET);
        }
      } else {
        const { joined, left } = item as {
          joined: readonly Member[];
          left: readonly Member[];
        };
        this.#memberList.changed();
        let count: number;
        try {
          count = (await this.#memberList.all()).length;
        } catch {
          // Unknown for now: what the members knew, moved by the change.
          count = Math.max(0, this.#members.size);
        }
        const news = Batch.of(presenceEvent(this.room, joined, left, count));
        for (const subscriber of this.#members.keys()) {
          this.#offer(subscriber, news);
        }
      }
    }
    await this.#fanOut(run, acks);
  }

  /**
   * Offers what the store fed to every member, then each sender its acks,
   * so that they share the frame of the last batch (S3). A burst larger
   * than a batch goes out a batch per turn of the event loop.
   */
  #fanOut(
    fed: (readonly StoredMessage[])[],
    acks?: Map<Subscriber, string[]>,
  ): Promise<void> | void {
    const messages = fed.length === 1 ? fed[0] : fed.flat();
    if (messages.length > this.#maxBatch) {
      return this.#fanOutParts(messages, acks);
    }
    if (messages.length > 0) this.#offerAll(messages);
    if (acks) {
      for (const [subscriber, events] of acks) {
        this.#offer(subscriber, Batch.of(...events));
      }
    }
  }

  async #fanOutParts(
    messages: readonly StoredMessage[],
    acks?: Map<Subscriber, string[]>,
  ): Promise<void> {
    for (let i = 0; i < messages.length; i += this.#maxBatch) {
      // The writers woken by the last batch have handed it to their sockets;
      // Deno writes it out only when the event loop turns. Without the turn
      // every batch of a big burst would count as unsent at once, pausing
      // (and then evicting) members that keep up perfectly well.
      if (i > 0) await nextTurn();
      const last = i + this.#maxBatch >= messages.length;
      this.#fanOut(
        [messages.slice(i, i + this.#maxBatch)],
        last ? acks : undefined,
      );
    }
  }

  /** Offers `messages` to every member as one batch. */
  #offerAll(messages: readonly StoredMessage[]): void {
    const last = messages[messages.length - 1];
    this.#position = { epoch: this.#position.epoch, offset: last.offset };
    const batch = new Batch(messages);
    for (const subscriber of this.#members.keys()) {
      if (!subscriber.offer(batch)) this.#remove(subscriber, QUEUE_FULL);
    }
    this.#meter.delivered(messages.length * this.#members.size);
  }

  #offer(subscriber: Subscriber, batch: Batch): void {
    if (!this.#members.has(subscriber)) return;
    if (!subscriber.offer(batch)) this.#remove(subscriber, QUEUE_FULL);
  }

  /** Turns a join away: `error` for natter.v1, 1013 for plain. */
  #refuse(join: Join, code: "room_full" | "unavailable", text: string): void {
    if (!join.reply) return join.subscriber.release(ROOM_FULL);
    join.subscriber.offer(Batch.of(errorEvent(join.reply.id, code, text)));
    join.subscriber.release();
  }

  #failJoins(joins: Join[], error: Error): void {
    this.#log(`room "${this.room}": ${error.message}`);
    for (const join of joins) {
      if (!this.#members.delete(join.subscriber)) continue;
      if (!join.reply) {
        join.subscriber.release(UNAVAILABLE);
        continue;
      }
      this.#refuse(join, "unavailable", "The room store is unavailable");
    }
  }

  /** While the room cannot be opened: refuses the turn's requests. */
  #refuseTurn(): void {
    for (const join of this.register.takeAll()) {
      if (!join.reply) join.subscriber.release(UNAVAILABLE);
      else this.#refuse(join, "unavailable", "The room is unavailable");
    }
    this.unregister.takeAll();
    this.broadcast.takeAll();
    this.#fed.takeAll();
    // With nobody in it, the registry may free the room in time.
    this.#onEmpty?.();
  }

  #remove(subscriber: Subscriber, close?: CloseReason): Member | undefined {
    const member = this.#members.get(subscriber);
    if (member === undefined) return undefined;
    this.#members.delete(subscriber);
    subscriber.release(close);
    // An evicted member leaves presence with the next turn's news; its
    // connection's close wakes the Hub for that turn.
    if (close && close !== this.#closeReason) this.#evicted.push(member);
    return member;
  }
}
