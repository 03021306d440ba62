/**
 * The Redis store's pub/sub side: each room this node serves has a channel
 * (see `redis_scripts.ts`), and {@linkcode RoomChannels} takes what comes
 * in on them to where it belongs: a batch of messages to the room's
 * {@linkcode RoomStream}, which feeds the Hub in offset order; a presence
 * change made on another node to the Hub's {@linkcode RoomEvents}.
 *
 * A room subscribes before it learns where its stream stands, so that
 * nothing appended in between is missed: what comes in meanwhile waits
 * for the room's stream.
 *
 * @module
 */

import { decodePublished } from "./redis_codec.ts";
import { channelRoom } from "./redis_scripts.ts";
import type { RoomStream } from "./room_stream.ts";
import type { RoomEvents } from "./store.ts";

/** What a room this node serves has on its channel. */
interface Channel {
  /** Set once the room is open; until then what comes in waits. */
  stream?: RoomStream;
  readonly early: string[];
  readonly events?: RoomEvents;
}

/**
 * The rooms this node serves, as their channels deliver to them.
 *
 * @example
 * ```ts
 * import { RoomStream } from "./room_stream.ts";
 *
 * declare const stream: RoomStream;
 * const channels = new RoomChannels("node-1");
 * channels.add("lobby");
 * channels.receive("natter:{lobby}", '{"e":"abc","m":[]}'); // waits
 * channels.attach("lobby", stream); // now goes to the stream
 * ```
 */
export class RoomChannels {
  readonly #node: string;
  readonly #rooms = new Map<string, Channel>();

  /** Delivers to the rooms of the node `node` (the Redis store's id). */
  constructor(node: string) {
    this.#node = node;
  }

  /**
   * Starts taking `room`'s channel, with `events` for the changes other
   * nodes make; what comes in waits for {@linkcode RoomChannels.attach}.
   * A room added again starts over.
   */
  add(room: string, events?: RoomEvents): void {
    this.#rooms.set(room, { early: [], events });
  }

  /** Gives `room` its stream, and hands it what came in meanwhile. */
  attach(room: string, stream: RoomStream): void {
    const channel = this.#rooms.get(room);
    if (!channel) return;
    channel.stream = stream;
    for (const payload of channel.early.splice(0)) {
      this.#deliver(channel, room, payload);
    }
  }

  /** The stream of `room` once it is open. */
  stream(room: string): RoomStream | undefined {
    return this.#rooms.get(room)?.stream;
  }

  /** Every open room, with its stream. */
  *open(): Iterable<[string, RoomStream]> {
    for (const [room, { stream }] of this.#rooms) {
      if (stream) yield [room, stream];
    }
  }

  /**
   * Stops delivering to `room`.
   *
   * @returns whether the node took its channel.
   */
  delete(room: string): boolean {
    return this.#rooms.delete(room);
  }

  /** Stops delivering to every room. */
  clear(): void {
    this.#rooms.clear();
  }

  /** Takes one message that came in on `channel`. */
  receive(channel: string, payload: string): void {
    const room = channelRoom(channel);
    const state = this.#rooms.get(room);
    if (!state) return;
    if (!state.stream) state.early.push(payload);
    else this.#deliver(state, room, payload);
  }

  #deliver(channel: Channel, room: string, payload: string): void {
    const published = decodePublished(room, payload);
    if (published.kind === "messages") {
      return channel.stream!.receive(published.epoch, published.messages);
    }
    // This node's own changes were told by its Hub already.
    if (published.origin === this.#node) return;
    channel.events?.presence?.(published.joined, published.left);
  }
}
