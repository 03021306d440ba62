/**
 * The Redis store's presence heartbeat: which of this node's members are
 * in each room it serves, kept true in Redis while the node lives, and
 * taken out by the other nodes once it dies.
 *
 * A node checks in on each room it has members in every quarter of the
 * presence expiry; a check-in lasts half of it, and any node may remove the
 * members of a node whose check-in lapsed (it died), telling everyone. So
 * the members of a dead node leave within three quarters of the expiry. A
 * check-in also puts back the node's members should Redis have lost them,
 * and keeps the room's keys alive for the history's time to live.
 *
 * @module
 */

import { newEpoch } from "./epoch.ts";
import { memberValue } from "./redis_codec.ts";
import type { RedisLink } from "./redis_link.ts";
import { roomChannel, roomKeys } from "./redis_scripts.ts";
import type { Member } from "./store.ts";
import { DEFAULTS } from "../settings/settings.ts";

/** Options for {@linkcode Heartbeat}. */
export interface HeartbeatOptions {
  /** This node's id in Redis. */
  node: string;
  /**
   * Milliseconds within which the members of a node that died leave
   * every other node's presence.
   * @default {45000}
   */
  presenceExpiry?: number;
  /**
   * Milliseconds a room's keys outlive the last check-in of a node with
   * members in it (plus two check-in periods).
   * @default {300000}
   */
  historyTtl?: number;
  /** Where a room stands, each time a round of check-ins reaches it. */
  onTouched(room: string, epoch: string, offset: number): void;
}

/**
 * This node's check-ins on the rooms it serves.
 *
 * @example
 * ```ts
 * import type { RedisLink } from "./redis_link.ts";
 *
 * declare const link: RedisLink;
 * const heartbeat = new Heartbeat(link, {
 *   node: "node-1",
 *   onTouched: (room, epoch, offset) => console.log(room, epoch, offset),
 * });
 * const [epoch, offset] = await heartbeat.touch("lobby");
 * heartbeat.serve("lobby");
 * await heartbeat.record("lobby", [{ client: "c1", nick: "ada" }], []);
 * await heartbeat.stop();
 * ```
 */
export class Heartbeat {
  /** Milliseconds a room's keys live after the last check-in with members. */
  readonly roomTtl: number;
  readonly #link: RedisLink;
  readonly #options: HeartbeatOptions;
  readonly #checkIn: number;
  readonly #timer: ReturnType<typeof setInterval>;
  /** The rooms this node serves, each with this node's members in it. */
  readonly #rooms = new Map<string, Map<string, Member>>();

  /** Starts checking in, through `link`, every quarter of the expiry. */
  constructor(link: RedisLink, options: HeartbeatOptions) {
    this.#link = link;
    this.#options = options;
    const expiry = options.presenceExpiry ?? DEFAULTS.presenceExpiry;
    this.#checkIn = Math.ceil(expiry / 2);
    const period = Math.ceil(expiry / 4);
    this.roomTtl = (options.historyTtl ?? DEFAULTS.historyTtl) + 2 * period +
      1000;
    this.#timer = setInterval(() => {
      // Sweep only once every live node has had time to check in again.
      const sweep = link.upFor() >= this.#checkIn;
      if (link.up) this.touchAll(sweep).catch(() => {});
    }, period);
    Deno.unrefTimer(Number(this.#timer));
  }

  /** Checks in on `room` from now on; its members so far stay. */
  serve(room: string): void {
    if (!this.#rooms.has(room)) this.#rooms.set(room, new Map());
  }

  /** No longer checks in on `room`. */
  forget(room: string): void {
    this.#rooms.delete(room);
  }

  /**
   * Checks in on `room` now, creating it (with a new epoch) when it does
   * not exist; with `sweep`, removes the members of nodes that died.
   *
   * @returns the room's epoch and latest offset.
   */
  touch(room: string, sweep = false): Promise<[string, number]> {
    const members = this.#rooms.get(room)?.values() ?? [];
    const node = this.#options.node;
    const pairs = [...members].flatMap((member) => [
      member.client,
      memberValue(member, node),
    ]);
    return this.#link.script<[string, number]>(
      "touch",
      ...roomKeys(room),
      roomChannel(room),
      newEpoch(),
      node,
      this.#checkIn,
      sweep ? "1" : "0",
      this.roomTtl,
      ...pairs,
    );
  }

  /**
   * Checks in on every room served, puts back this node's members, and
   * tells `onTouched` where each stands (after a reconnect, a Redis that
   * came back empty: a new epoch).
   *
   * @returns whether every room answered.
   */
  async touchAll(sweep: boolean): Promise<boolean> {
    const results = await Promise.allSettled(
      [...this.#rooms.keys()].map(async (room) => {
        const [epoch, offset] = await this.touch(room, sweep);
        this.#options.onTouched(room, epoch, offset);
      }),
    );
    return results.every((result) => result.status === "fulfilled");
  }

  /**
   * Records a turn's leaves, then joins, of this node's members of `room`
   * in Redis, and tells the other nodes.
   */
  async record(
    room: string,
    joined: readonly Member[],
    left: readonly Member[],
  ): Promise<void> {
    const members = this.#rooms.get(room);
    for (const member of left) members?.delete(member.client);
    for (const member of joined) members?.set(member.client, member);
    try {
      await this.#presence(room, joined, left);
    } catch (error) {
      // The Hub refuses these joins; the check-ins must not add them back.
      for (const member of joined) members?.delete(member.client);
      throw error;
    }
  }

  /**
   * Stops checking in, and takes this node's members out of every room's
   * presence (telling the other nodes) while Redis answers.
   */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    const rooms = [...this.#rooms].filter(([, members]) => members.size > 0);
    this.#rooms.clear();
    if (!this.#link.up) return;
    await Promise.allSettled(rooms.map(([room, members]) => {
      return this.#presence(room, [], [...members.values()]);
    }));
  }

  #presence(
    room: string,
    joined: readonly Member[],
    left: readonly Member[],
  ): Promise<number> {
    const node = this.#options.node;
    const pairs = (members: readonly Member[]) =>
      members.flatMap((m) => [m.client, memberValue(m, node)]);
    return this.#link.script<number>(
      "presence",
      ...roomKeys(room),
      roomChannel(room),
      node,
      this.#checkIn,
      this.roomTtl,
      joined.length,
      ...pairs(joined),
      ...pairs(left),
    );
  }
}
