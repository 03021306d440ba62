/**
 * The Redis store: rooms, history, offsets, epochs and presence in Redis,
 * shared by every natter node that uses the same Redis (`--redis URL`).
 *
 * Each change is one Lua script (see `redis_scripts.ts`): a turn's messages
 * are checked for repeated send keys (C7), get their offsets, enter the
 * history and are published to the other nodes in one round trip. Each
 * node subscribes to the rooms it serves (`redis_channels.ts`) and feeds
 * their Hubs through a {@linkcode RoomStream}, so every node delivers every
 * room's messages in offset order, filling gaps from the history. Each
 * node checks in on its rooms so that the members of a node that died
 * leave (`redis_heartbeat.ts`).
 *
 * @module
 */

import { newEpoch } from "./epoch.ts";
import { decodeEntries, decodeMembers, entryTail } from "./redis_codec.ts";
import { RoomChannels } from "./redis_channels.ts";
import { Heartbeat, type HeartbeatOptions } from "./redis_heartbeat.ts";
import { RedisLink } from "./redis_link.ts";
import { roomChannel, roomKeys } from "./redis_scripts.ts";
import { RoomStream } from "./room_stream.ts";
import { scopedKey } from "./send_key.ts";
import {
  type Appended,
  type Draft,
  type Feed,
  type Member,
  type Position,
  type Replay,
  type RoomEvents,
  roomNotOpen,
  type Store,
  type StoredMessage,
} from "./store.ts";

/** Options for {@linkcode RedisStore}. */
export interface RedisStoreOptions
  extends Pick<HeartbeatOptions, "historyTtl" | "presenceExpiry"> {
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
  /** Where to report Redis coming and going. */
  log?: (line: string) => void;
}

/** What the read script answers: epoch, latest offset, first, entries. */
type Read = [string, number, number, string[]];

/**
 * A {@linkcode Store} in Redis: one node of natter.
 *
 * @example
 * ```ts
 * await using store = new RedisStore("redis://127.0.0.1:6379");
 * await store.open("lobby", (messages) => console.log(messages));
 * await store.append("lobby", [{ text: "hi", from: { client: "c1", nick: null } }]);
 * ```
 */
export class RedisStore implements Store, AsyncDisposable {
  readonly #link: RedisLink;
  readonly #node = crypto.randomUUID().slice(0, 8);
  readonly #channels = new RoomChannels(this.#node);
  readonly #heartbeat: Heartbeat;
  readonly #historySize: number;
  readonly #historyBytes: number;
  readonly #log: (line: string) => void;

  /** Connects to the Redis at `url` and keeps reconnecting while it is away. */
  constructor(url: string, options: RedisStoreOptions = {}) {
    this.#historySize = options.historySize ?? 500;
    this.#historyBytes = options.historyBytes ?? 128 * 1024;
    this.#log = options.log ?? (() => {});
    this.#link = new RedisLink(url, {
      log: this.#log,
      onReady: () => this.#heartbeat.touchAll(false),
      onMessage: (payload, channel) => this.#channels.receive(channel, payload),
    });
    this.#heartbeat = new Heartbeat(this.#link, {
      node: this.#node,
      presenceExpiry: options.presenceExpiry,
      historyTtl: options.historyTtl,
      onTouched: (room, epoch, offset) =>
        this.#channels.stream(room)?.sync(epoch, offset),
    });
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
    this.#channels.add(room, events);
    try {
      // Subscribed first: nothing appended after the touch is missed.
      await this.#link.subscribe(roomChannel(room));
      const [epoch, offset] = await this.#heartbeat.touch(room);
      this.#channels.attach(
        room,
        new RoomStream({ epoch, offset }, {
          feed,
          events,
          read: (from, to) => this.#range(room, from, to),
          log: (line) => this.#log(`room "${room}": ${line}`),
        }),
      );
      this.#heartbeat.serve(room);
      return { epoch, offset };
    } catch (error) {
      // Unless an open that overtook this one succeeded.
      if (!this.#channels.stream(room)) {
        this.#channels.delete(room);
        this.#heartbeat.forget(room);
        this.#link.unsubscribe(roomChannel(room)).catch(() => {});
      }
      throw error;
    }
  }

  async append(room: string, drafts: readonly Draft[]): Promise<Appended> {
    const stream = this.#channels.stream(room);
    if (!stream) throw roomNotOpen(room);
    const ts = Date.now();
    const { epoch, offset } = stream.position;
    const [stored, first, gap, placed] = await this.#link.script<
      [string, number, string[], number[]]
    >(
      "append",
      ...roomKeys(room),
      roomChannel(room),
      epoch,
      newEpoch(),
      offset,
      this.#historySize,
      this.#historyBytes,
      this.#heartbeat.roomTtl,
      ...drafts.map((draft) => entryTail(draft, ts)),
      ...drafts.map((draft) => scopedKey(draft) ?? ""),
    );
    // A repeat (C7) comes back as the first message's offset, negated.
    const messages: StoredMessage[] = [];
    const offsets = placed.map((at, i) => {
      if (at < 0) return -at;
      const { text, from } = drafts[i];
      messages.push({ room, offset: at, ts, text, from });
      return at;
    });
    stream.receive(stored, [...decodeEntries(room, gap), ...messages]);
    // Up to the latest offset, which a repeat's first message is below.
    await stream.until(first + messages.length - 1);
    return { messages, offsets };
  }

  async replay(
    room: string,
    upTo: number,
    options: { since?: Position; limit: number },
  ): Promise<Replay> {
    const { since, limit } = options;
    const [, recovered, , entries] = await this.#read(
      room,
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
    const [, , , entries] = await this.#read(room, "before", before, limit);
    return decodeEntries(room, entries);
  }

  async updatePresence(
    room: string,
    joined: readonly Member[],
    left: readonly Member[],
  ): Promise<void> {
    if (!this.#channels.stream(room)) throw roomNotOpen(room);
    await this.#heartbeat.record(room, joined, left);
  }

  async presence(room: string): Promise<Member[]> {
    const [, , members] = roomKeys(room);
    return decodeMembers(
      await this.#link.command<string[]>(["HVALS", members]),
    );
  }

  async close(room: string): Promise<void> {
    this.#heartbeat.forget(room);
    if (!this.#channels.delete(room)) return;
    await this.#link.unsubscribe(roomChannel(room)).catch(() => {});
  }

  /**
   * Takes this node's members out of every room's presence (telling the
   * other nodes), then disconnects.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#heartbeat.stop();
    this.#channels.clear();
    await this.#link.close();
  }

  #read(room: string, ...args: (string | number)[]): Promise<Read> {
    const [meta, log] = roomKeys(room);
    return this.#link.script<Read>("read", meta, log, ...args);
  }

  async #range(room: string, from: number, to: number) {
    const [epoch, , , entries] = await this.#read(room, "range", from, to);
    return { epoch, messages: decodeEntries(room, entries) };
  }
}
