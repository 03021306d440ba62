/**
 * The Hub and a store shared by several processes: presence changes made
 * elsewhere, a reset of the room's stream, and a room the store could not
 * open at first.
 */

import assert from "node:assert/strict";
import type { Batch } from "./batch.ts";
import {
  HISTORY_RESET,
  type Refusal,
  type Release,
  type Subscriber,
  type Welcome,
} from "./subscriber.ts";
import { Hub } from "../hub.ts";
import { EVENTS } from "../protocol/events.ts";
import { MemoryStore } from "../store/memory.ts";
import type { Feed, Position, RoomEvents } from "../store/store.ts";
import { deadline } from "../test_util/natter.ts";

/**
 * A member that records the Hub's outcomes, and the frames it is offered as
 * a natter.v1 member would send them.
 */
class Recorder implements Subscriber {
  readonly frames: string[] = [];
  readonly released = Promise.withResolvers<Release>();
  readonly welcomed = Promise.withResolvers<Welcome>();
  readonly refusal = Promise.withResolvers<Refusal>();
  #waiters: (() => void)[] = [];

  offer(batch: Batch): boolean {
    this.frames.push(batch.frame(EVENTS));
    for (const wake of this.#waiters.splice(0)) wake();
    return true;
  }

  welcome(welcome: Welcome): void {
    this.welcomed.resolve(welcome);
  }

  refused(refusal: Refusal): void {
    this.refusal.resolve(refusal);
  }

  release(release: Release): void {
    this.released.resolve(release);
  }

  /** Settles once the Hub has welcomed this member. */
  get joined(): Promise<Welcome> {
    return deadline(this.welcomed.promise, "the welcome");
  }

  /** Waits for a frame that contains `text`. */
  frame(text: string): Promise<string> {
    return deadline(
      new Promise<string>((resolve) => {
        const check = () => {
          const found = this.frames.find((frame) => frame.includes(text));
          if (found !== undefined) resolve(found);
          else this.#waiters.push(check);
        };
        check();
      }),
      `a frame with ${text}`,
    );
  }
}

/** A memory store that hands the test each room's events. */
class EventfulStore extends MemoryStore {
  events?: RoomEvents;
  /** How many more opens fail. */
  failures = 0;

  override open(room: string, feed: Feed, events?: RoomEvents) {
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new Error("Redis is down"));
    }
    this.events = events;
    return super.open(room, feed);
  }
}

function joinOf(subscriber: Subscriber, client: string) {
  return {
    subscriber,
    member: { client, nick: client },
    welcome: {},
  };
}

Deno.test("Hub tells its members of presence changes made elsewhere", async () => {
  const store = new EventfulStore();
  await using hub = new Hub("r", store);
  const ada = new Recorder();
  hub.register.trySend(joinOf(ada, "ada"));
  await ada.joined;
  // As a shared store does: the member is in the room's presence, then
  // the Hub is told.
  await store.updatePresence("r", [{ client: "bob", nick: "bob" }], []);
  store.events!.presence!([{ client: "bob", nick: "bob" }], []);
  const news = await ada.frame('"type":"presence"');
  assert.deepEqual(JSON.parse(news), [{
    type: "presence",
    room: "r",
    joined: [{ client: "bob", nick: "bob" }],
    left: [],
    count: 2,
  }]);
});

Deno.test("Hub evicts its members when the store resets the room", async () => {
  const store = new EventfulStore();
  await using hub = new Hub("r", store);
  const ada = new Recorder();
  hub.register.trySend(joinOf(ada, "ada"));
  await ada.joined;
  const position: Position = { epoch: "fresh", offset: 0 };
  store.events!.reset!(position);
  assert.equal(await deadline(ada.released.promise, "eviction"), HISTORY_RESET);
  // A member joining afterwards is told the new epoch.
  const bob = new Recorder();
  hub.register.trySend(joinOf(bob, "bob"));
  const joined = await bob.joined;
  assert.equal(joined.position.epoch, "fresh");
});

Deno.test("Hub opens the room again once the store is back", async () => {
  const store = new EventfulStore();
  store.failures = 1;
  await using hub = new Hub("r", store);
  const ada = new Recorder();
  hub.register.trySend(joinOf(ada, "ada"));
  const refusal = await deadline(ada.refusal.promise, "the refusal");
  assert.equal(refusal, "unavailable");
  const bob = new Recorder();
  hub.register.trySend(joinOf(bob, "bob"));
  await bob.joined;
});
