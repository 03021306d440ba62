/**
 * The room registry: creates a room's Hub on its first join and frees it
 * once it has had no members for the history's time to live (R4), within a
 * limit on how many rooms the server holds. At that limit, rooms with no
 * members give way, the one emptied first going first, so that nobody can
 * use up the server's rooms for everyone by joining and leaving.
 *
 * @module
 */

import { Hub, type HubOptions } from "../hub.ts";
import type { CloseReason } from "../util/close_reasons.ts";
import type { Store } from "../store/store.ts";
import { DEFAULTS } from "../settings/settings.ts";

/** Options for {@linkcode Rooms}. */
export interface RoomsOptions extends Omit<HubOptions, "onEmpty"> {
  /**
   * The most rooms the server holds at once, counting rooms that have no
   * members but still keep their history.
   * @default {4096}
   */
  maxRooms?: number;
  /**
   * Milliseconds a room with no members keeps its history before it is
   * freed; a room created again after that gets a new epoch.
   * @default {300000}
   */
  historyTtl?: number;
}

/**
 * Every room of the server, each with its Hub.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "../store/memory.ts";
 *
 * await using rooms = new Rooms(new MemoryStore());
 * const hub = rooms.get("lobby"); // undefined past the room limit
 * ```
 */
export class Rooms implements AsyncDisposable {
  readonly #hubs = new Map<string, Hub>();
  readonly #expiries = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #store: Store;
  readonly #options: RoomsOptions;
  readonly #maxRooms: number;
  readonly #historyTtl: number;
  #closed = false;

  /** Creates an empty registry whose rooms live in `store`. */
  constructor(store: Store, options: RoomsOptions = {}) {
    this.#store = store;
    this.#options = options;
    this.#maxRooms = options.maxRooms ?? DEFAULTS.maxRooms;
    this.#historyTtl = options.historyTtl ?? DEFAULTS.historyTtl;
  }

  /** Where the rooms' history lives. */
  get store(): Store {
    return this.#store;
  }

  /** How many rooms exist now. */
  get size(): number {
    return this.#hubs.size;
  }

  /** The names of the rooms that exist now. */
  names(): string[] {
    return [...this.#hubs.keys()];
  }

  /** The Hub of `room` if the room exists. */
  find(room: string): Hub | undefined {
    return this.#hubs.get(room);
  }

  /**
   * The Hub of `room`, created when the room is new, for a member about to
   * join it: a room waiting to be freed is kept.
   *
   * @returns `undefined` when the room is new and the server already holds
   * its most rooms, or the registry is closed.
   */
  get(room: string): Hub | undefined {
    const expiry = this.#expiries.get(room);
    if (expiry !== undefined) {
      clearTimeout(expiry);
      this.#expiries.delete(room);
    }
    let hub = this.#hubs.get(room);
    if (hub || this.#closed) return hub;
    if (this.#hubs.size >= this.#maxRooms && !this.#giveWay()) return;
    hub = new Hub(room, this.#store, {
      ...this.#options,
      onEmpty: () => this.#expire(room),
    });
    this.#hubs.set(room, hub);
    return hub;
  }

  /**
   * Whether {@linkcode Rooms.get} would find or create `room` now: it exists,
   * or the server holds fewer than its most rooms, or a room with no members
   * would give way to it.
   */
  admits(room: string): boolean {
    if (this.#closed) return false;
    if (this.#hubs.has(room) || this.#hubs.size < this.#maxRooms) return true;
    return this.#emptiest() !== undefined;
  }

  /**
   * Lets `room` be freed in due course if nobody is in it, for a room that
   * was opened without a join (by the server API).
   */
  release(room: string): void {
    if (this.#hubs.get(room)?.size === 0) this.#expire(room);
  }

  /**
   * Closes every room's Hub, releasing every member with `reason` (by
   * default 1001 "server shutting down").
   */
  async close(reason?: CloseReason): Promise<void> {
    this.#closed = true;
    for (const timer of this.#expiries.values()) clearTimeout(timer);
    this.#expiries.clear();
    const hubs = [...this.#hubs.values()];
    await Promise.all(hubs.map((hub) => hub.close(reason)));
  }

  /** Same as {@linkcode Rooms.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Frees `room` after the history's time to live unless somebody joins. */
  #expire(room: string): void {
    if (this.#closed || this.#expiries.has(room)) return;
    const timer = setTimeout(() => {
      this.#expiries.delete(room);
      this.#free(room);
    }, this.#historyTtl);
    // An empty room's history must not keep the process alive.
    Deno.unrefTimer(timer);
    this.#expiries.set(room, timer);
  }

  /**
   * The room waiting longest to be freed that has no members and nothing
   * queued: `#expiries` keeps rooms in the order they emptied.
   */
  #emptiest(): string | undefined {
    for (const room of this.#expiries.keys()) {
      const hub = this.#hubs.get(room);
      if (hub && hub.size === 0 && !hub.busy) return room;
    }
    return undefined;
  }

  /** Frees the room that emptied first, before its time: `false` if none. */
  #giveWay(): boolean {
    const room = this.#emptiest();
    if (room === undefined) return false;
    clearTimeout(this.#expiries.get(room));
    this.#expiries.delete(room);
    return this.#free(room);
  }

  /** Frees `room` if it has no members and nothing queued. */
  #free(room: string): boolean {
    const hub = this.#hubs.get(room);
    if (!hub || hub.size > 0 || hub.busy) return false;
    // Forgotten by the store first, so that a room created again at once
    // opens afresh, with a new epoch.
    this.#hubs.delete(room);
    this.#store.close(room).catch(() => {});
    hub.close().catch(() => {});
    return true;
  }
}
