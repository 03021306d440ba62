/**
 * The Redis store: rooms, history, offsets, epochs and presence in Redis,
 * shared by every natter node that uses the same Redis (`--redis URL`).
 *
 * Each change is one Lua script (see `redis_scripts.ts`): a turn's messages
 * get their offsets, enter the history and are published to the other
 * nodes in one round trip. Each node subscribes to the rooms it serves and
 * feeds their Hubs through a {@linkcode RoomStream}, so every node delivers
 * every room's messages in offset order, filling gaps from the history.
 *
 * Presence: a node checks in on each room it has members in every quarter
 * of the presence expiry; a check-in lasts half of it, and any node may
 * remove the members of a node whose check-in lapsed (it died), telling
 * everyone. So the members of a dead node leave within three quarters of
 * the expiry.
 *
 * @module
 */

import { newEpoch } from "./memory.ts";
import {
  decodeEntries,
  decodeMembers,
  decodePublished,
  entryTail,
  memberValue,
} from "./redis_codec.ts";
import { RedisLink } from "./redis_link.ts";
import { channelRoom, roomChannel, roomKeys } from "./redis_scripts.ts";
import { RoomStream } from "./room_stream.ts";
import type {
  Draft,
  Feed,
  Member,
  Position,
  Replay,
  RoomEvents,
  Store,
  StoredMessage,
} from "./store.ts";

/** Options for {@linkcode RedisStore}. */
export interface RedisStoreOptions {
  /**
   * The most messages a room's history keeps.
   * @default {500}
   */
  historySize?: number;
  /**
   * The most bytes a room's history may take, counted as the UTF-8 bytes
   * of its entries in Redis.
   * @default {131072}
   */
  historyBytes?: number;
  /**
   * Milliseconds a room's keys outlive the last check-in of a node with
   * members in it (plus two check-in periods).
   * @default {300000}
   */
  historyTtl?: number;
  /**
   * Milliseconds within which the members of a node that died leave
   * every other node's presence.
   * @default {45000}
   */
  presenceExpiry?: number;
  /** Where to report Redis coming and going. */
  log?: (line: string) => void;
}

interface RoomState {
  /** Set once the room is open; until then what arrives waits in `early`. */
  stream?: RoomStream;
  early: string[];
  events?: RoomEvents;
  /** This node's members of the room. */
  readonly members: Map<string, Member>;
}

/**
 * A {@linkcode Store} in Redis.
 *
 * @example
 * ```ts
 * await using store = new RedisStore("redis://127.0.0.1:6379");
 * serve({ store });
 * ```
 */
export class RedisStore implements Store, AsyncDisposable {
  readonly #link: RedisLink;
  readonly #rooms = new Map<string, RoomState>();
  readonly #node = crypto.randomUUID().slice(0, 8);
  readonly #historySize: number;
  readonly #historyBytes: number;
  readonly #checkIn: number;
  readonly #roomTtl: number;
  readonly #log: (line: string) => void;
  readonly #timer: ReturnType<typeof setInterval>;

  /** Connects to the Redis at `url` and keeps reconnecting while it is away. */
  constructor(url: string, options: RedisStoreOptions = {}) {
    this.#historySize = options.historySize ?? 500;
    this.#historyBytes = options.historyBytes ?? 128 * 1024;
    const expiry = options.presenceExpiry ?? 45_000;
    this.#checkIn = Math.ceil(expiry / 2);
    const period = Math.ceil(expiry / 4);
    this.#roomTtl = (options.historyTtl ?? 300_000) + 2 * period + 1000;
    this.#log = options.log ?? (() => {});
    this.#link = new RedisLink(url, {
      log: this.#log,
      onReady: () => this.#touchAll(false),
      onMessage: (payload, channel) => this.#publish(channel, payload),
    });
    this.#timer = setInterval(() => {
      // Sweep only once every live node has had time to check in again.
      const sweep = this.#link.upFor() >= this.#checkIn;
      if (this.#link.up) this.#touchAll(sweep).catch(() => {});
    }, period);
    Deno.unrefTimer(Number(this.#timer));
  }

  /** This node's id in Redis. */
  get node(): string {
    return this.#node;
  }

  /** Whether Redis answers and every open room has been brought up to date. */
  ready(): boolean {
    return this.#link.ready();
  }

  async open(room: string, feed: Feed, events?: RoomEvents): Promise<Position> {
    const state: RoomState = { early: [], events, members: new Map() };
    this.#rooms.set(room, state);
    try {
      // Subscribed first: nothing appended after the touch is missed.
      await this.#link.subscribe(roomChannel(room));
      const [epoch, offset] = await this.#touch(room, state, false);
      state.stream = new RoomStream({ epoch, offset }, {
        feed,
        events,
        read: (from, to) => this.#range(room, from, to),
        log: (line) => this.#log(`room "${room}": ${line}`),
      });
      for (const payload of state.early.splice(0)) this.#deliver(room, payload);
      return { epoch, offset };
    } catch (error) {
      if (this.#rooms.get(room) === state) this.#rooms.delete(room);
      this.#link.unsubscribe(roomChannel(room)).catch(() => {});
      throw error;
    }
  }

  async append(
    room: string,
    drafts: readonly Draft[],
  ): Promise<StoredMessage[]> {
    const stream = this.#stream(room);
    const ts = Date.now();
    const { epoch, offset } = stream.position;
    const [stored, first, gap] = await this.#link.script<
      [string, number, string[]]
    >(
      "append",
      ...roomKeys(room),
      roomChannel(room),
      epoch,
      newEpoch(),
      offset,
      this.#historySize,
      this.#historyBytes,
      this.#roomTtl,
      ...drafts.map((draft) => entryTail(draft, ts)),
    );
    const messages = drafts.map((draft, i): StoredMessage => ({
      room,
      offset: first + i,
      ts,
      text: draft.text,
      from: draft.from,
    }));
    stream.receive(stored, [...decodeEntries(room, gap), ...messages]);
    await stream.until(first + drafts.length - 1);
    return messages;
  }

  async replay(
    room: string,
    upTo: number,
    options: { since?: Position; limit: number },
  ): Promise<Replay> {
    const { since, limit } = options;
    const [, recovered, , entries] = await this.#link.script<
      [string, number, number, string[]]
    >(
      "read",
      ...roomKeys(room).slice(0, 2),
      "replay",
      upTo,
      since?.epoch ?? "",
      since?.offset ?? 0,
      limit,
    );
    return {
      recovered: recovered === 1,
      messages: decodeEntries(room, entries),
    };
  }

  async before(
    room: string,
    before: number,
    limit: number,
  ): Promise<StoredMessage[]> {
    const [, , , entries] = await this.#link.script<
      [string, number, number, string[]]
    >(
      "read",
      ...roomKeys(room).slice(0, 2),
      "before",
      before,
      limit,
    );
    return decodeEntries(room, entries);
  }

  async updatePresence(
    room: string,
    joined: readonly Member[],
    left: readonly Member[],
  ): Promise<void> {
    const members = this.#rooms.get(room)?.members;
    for (const member of left) members?.delete(member.client);
    for (const member of joined) members?.set(member.client, member);
    try {
      await this.#presenceScript(room, joined, left);
    } catch (error) {
      // The Hub refuses these joins; the check-ins must not add them back.
      for (const member of joined) members?.delete(member.client);
      throw error;
    }
  }

  async presence(room: string): Promise<Member[]> {
    const [, , members] = roomKeys(room);
    return decodeMembers(
      await this.#link.command<string[]>(["HVALS", members]),
    );
  }

  async close(room: string): Promise<void> {
    if (!this.#rooms.delete(room)) return;
    await this.#link.unsubscribe(roomChannel(room)).catch(() => {});
  }

  /**
   * Takes this node's members out of every room's presence (telling the
   * other nodes), then disconnects.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    clearInterval(this.#timer);
    const leaving = [...this.#rooms].filter(([, s]) => s.members.size > 0);
    if (this.#link.up) {
      await Promise.allSettled(leaving.map(([room, state]) => {
        return this.#presenceScript(room, [], [...state.members.values()]);
      }));
    }
    this.#rooms.clear();
    await this.#link.close();
  }

  #presenceScript(
    room: string,
    joined: readonly Member[],
    left: readonly Member[],
  ): Promise<number> {
    const pairs = (members: readonly Member[]) =>
      members.flatMap((m) => [m.client, memberValue(m, this.#node)]);
    return this.#link.script<number>(
      "presence",
      ...roomKeys(room),
      roomChannel(room),
      this.#node,
      this.#checkIn,
      this.#roomTtl,
      joined.length,
      ...pairs(joined),
      ...pairs(left),
    );
  }

  #touch(
    room: string,
    state: RoomState,
    sweep: boolean,
  ): Promise<[string, number]> {
    const pairs = [...state.members.values()].flatMap((member) => [
      member.client,
      memberValue(member, this.#node),
    ]);
    return this.#link.script<[string, number]>(
      "touch",
      ...roomKeys(room),
      roomChannel(room),
      newEpoch(),
      this.#node,
      this.#checkIn,
      sweep ? "1" : "0",
      this.#roomTtl,
      ...pairs,
    );
  }

  /**
   * Checks in on every open room, puts back this node's members, and brings
   * each room's feed up to date (after a reconnect, a Redis that came back
   * empty: a new epoch).
   *
   * @returns whether every room answered.
   */
  async #touchAll(sweep: boolean): Promise<boolean> {
    const rooms = [...this.#rooms].filter(([, state]) => state.stream);
    const results = await Promise.allSettled(
      rooms.map(async ([room, state]) => {
        const [epoch, offset] = await this.#touch(room, state, sweep);
        state.stream?.sync(epoch, offset);
      }),
    );
    return results.every((result) => result.status === "fulfilled");
  }

  async #range(room: string, from: number, to: number) {
    const [epoch, , , entries] = await this.#link.script<
      [string, number, number, string[]]
    >(
      "read",
      ...roomKeys(room).slice(0, 2),
      "range",
      from,
      to,
    );
    return { epoch, messages: decodeEntries(room, entries) };
  }

  #publish(channel: string, payload: string): void {
    const room = channelRoom(channel);
    const state = this.#rooms.get(room);
    if (!state) return;
    if (!state.stream) state.early.push(payload);
    else this.#deliver(room, payload);
  }

  #deliver(room: string, payload: string): void {
    const state = this.#rooms.get(room)!;
    const published = decodePublished(room, payload);
    if (published.kind === "messages") {
      return state.stream!.receive(published.epoch, published.messages);
    }
    // This node's own changes were told by its Hub already.
    if (published.origin === this.#node) return;
    state.events?.presence?.(published.joined, published.left);
  }

  #stream(room: string): RoomStream {
    const stream = this.#rooms.get(room)?.stream;
    if (!stream) throw new RangeError(`Cannot use room "${room}": not open`);
    return stream;
  }
}
