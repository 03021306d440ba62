/**
 * The store conformance cases about a room's history: offsets, epochs,
 * recovery (`replay`), paging (`before`), and the history's bounds.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  ADA,
  appendEach,
  appended,
  BOB,
  type ConformanceCase,
  drafts,
  eventually,
  ignore,
  LATEST,
  offsets,
  openFed,
} from "./conformance_case.ts";
import type { Position, StoredMessage } from "./store.ts";

/** What every store does with a room's offsets, epochs and history. */
export const HISTORY_CASES: readonly ConformanceCase[] = [{
  name: "open() starts a new room at offset 0, with an epoch of its own",
  async run({ store }) {
    const lobby = await store.open("lobby", ignore);
    const den = await store.open("den", ignore);
    assert.equal(lobby.offset, 0);
    assert.equal(typeof lobby.epoch, "string");
    assert.ok(lobby.epoch.length > 0, "an epoch is never empty");
    assert.notEqual(lobby.epoch, den.epoch, "each room has its own epoch");
  },
}, {
  name: "append() gives offsets 1, 2, 3... in append order, and feeds " +
    "them before it settles",
  async run({ store }) {
    const fed = await openFed(store, "r");
    const start = Date.now();
    const returned: StoredMessage[] = [];
    for (const batch of [["a", "b"], ["c"], ["d", "e", "f"]]) {
      const { messages, offsets: placed } = await store.append(
        "r",
        drafts(...batch),
      );
      assert.deepEqual(offsets(messages), placed, "no repeat: all stored");
      returned.push(...messages);
      assert.equal(fed.length, returned.length, "fed before it settled");
    }
    assert.deepEqual(offsets(returned), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(offsets(fed), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(fed.map((m) => m.text), ["a", "b", "c", "d", "e", "f"]);
    assert.deepEqual(returned.slice(0, 2).map((m) => m.from), [ADA, BOB]);
    for (const message of [...returned, ...fed]) {
      assert.equal(message.room, "r");
      assert.ok(message.ts >= start - 1000 && message.ts <= Date.now() + 1000);
    }
  },
}, {
  name: "open() again keeps the epoch, gives the latest offset, and feeds " +
    "the new feed",
  async run({ store }) {
    const first = await store.open("r", ignore);
    await store.append("r", drafts("a", "b", "c"));
    const fed: StoredMessage[] = [];
    const again = await store.open("r", (messages) => fed.push(...messages));
    assert.deepEqual(again, { epoch: first.epoch, offset: 3 });
    await store.append("r", drafts("d"));
    assert.deepEqual(offsets(fed), [4]);
  },
}, {
  name: "replay() from a position still kept returns what followed it, " +
    "recovered",
  bounds: { historySize: 5 },
  async run({ store }) {
    const { epoch } = await store.open("r", ignore);
    await appendEach(store, "r", ["1", "2", "3", "4", "5", "6", "7"]);
    // Kept: 3..7. Recovery is exact however much follows: `limit` is for
    // the member who cannot recover.
    const replay = (offset: number, upTo = 7) =>
      store.replay("r", upTo, { since: { epoch, offset }, limit: 2 });
    const from4 = await replay(4);
    assert.equal(from4.recovered, true);
    assert.deepEqual(from4.messages.map((m) => m.text), ["5", "6", "7"]);
    assert.deepEqual(offsets(from4.messages), [5, 6, 7]);
    const oldest = await replay(2);
    assert.equal(oldest.recovered, true, "every message after 2 is kept");
    assert.deepEqual(offsets(oldest.messages), [3, 4, 5, 6, 7]);
    assert.deepEqual(await replay(7), { recovered: true, messages: [] });
    // Later messages reach the member live: only those up to upTo.
    assert.deepEqual(offsets((await replay(4, 6)).messages), [5, 6]);
  },
}, {
  name: "replay() from an unknown epoch, a position dropped or ahead, or " +
    "none, returns the latest `limit`, not recovered",
  bounds: { historySize: 5 },
  async run({ store }) {
    const { epoch } = await store.open("r", ignore);
    await store.append("r", drafts("1", "2", "3", "4", "5", "6", "7"));
    const positions: (Position | undefined)[] = [
      { epoch: "another", offset: 5 },
      { epoch, offset: 1 },
      { epoch, offset: 8 },
      undefined,
    ];
    for (const since of positions) {
      const replay = await store.replay("r", 7, { since, limit: 2 });
      const what = JSON.stringify(since);
      assert.equal(replay.recovered, false, what);
      assert.deepEqual(offsets(replay.messages), [6, 7], what);
    }
    const all = await store.replay("r", 7, { limit: 50 });
    assert.deepEqual(offsets(all.messages), [3, 4, 5, 6, 7], "what is kept");
    const cut = await store.replay("r", 5, { limit: 2 });
    assert.deepEqual(offsets(cut.messages), [4, 5], "up to upTo");
    const none = await store.replay("r", 7, { limit: 0 });
    assert.deepEqual(none, { recovered: false, messages: [] });
  },
}, {
  name: "before() pages back through what is kept, oldest first",
  bounds: { historySize: 4 },
  async run({ store }) {
    await store.open("r", ignore);
    await appendEach(store, "r", ["1", "2", "3", "4", "5", "6"]);
    const page = (before: number, limit: number) =>
      store.before("r", before, limit).then(offsets);
    assert.deepEqual(await page(LATEST, 2), [5, 6], "no position: the latest");
    assert.deepEqual(await page(LATEST, 10), [3, 4, 5, 6]);
    assert.deepEqual(await page(6, 2), [4, 5]);
    assert.deepEqual(await page(5, 10), [3, 4], "only what is kept");
    assert.deepEqual(await page(3, 10), []);
    assert.deepEqual(await page(1, 10), []);
    assert.deepEqual(await page(LATEST, 0), []);
    const [message] = await store.before("r", 5, 1);
    const { room, text, from } = message;
    assert.deepEqual({ room, text, from }, { room: "r", text: "4", from: ADA });
  },
}, {
  name: "the history keeps the latest historySize messages",
  bounds: { historySize: 3 },
  async run({ store }) {
    const { epoch } = await store.open("r", ignore);
    await store.append("r", drafts("1", "2", "3", "4", "5"));
    const kept = await store.replay("r", 5, { limit: 50 });
    assert.deepEqual(offsets(kept.messages), [3, 4, 5]);
    await appendEach(store, "r", ["6", "7"]);
    const later = await store.replay("r", 7, { limit: 50 });
    assert.deepEqual(later.messages.map((m) => m.text), ["5", "6", "7"]);
    const dropped = await store.replay("r", 7, {
      since: { epoch, offset: 3 },
      limit: 50,
    });
    assert.equal(dropped.recovered, false, "message 4 was dropped");
  },
}, {
  name: "the history keeps within historyBytes, dropping the oldest first",
  bounds: { historyBytes: 10_000 },
  async run({ store }) {
    const { epoch } = await store.open("r", ignore);
    const text = "x".repeat(1000);
    await appendEach(store, "r", Array.from({ length: 20 }, () => text));
    const { messages } = await store.replay("r", 20, { limit: 50 });
    // A store counts a message as at least its text's bytes, and as at
    // most what the memory store counts (four bytes a character, and 256).
    const count = messages.length;
    assert.ok(count >= 2 && count <= 10, `${count} of 1000 bytes in 10000`);
    const latest = Array.from({ length: count }, (_, i) => 21 - count + i);
    assert.deepEqual(offsets(messages), latest, "the latest, with no gap");
    // A message bigger than the whole budget is not kept, nor is anything
    // before it; it has its offset all the same.
    const [big] = await appended(store, "r", drafts("y".repeat(20_000)));
    assert.equal(big.offset, 21);
    assert.deepEqual(await store.before("r", LATEST, 50), []);
    const lost = await store.replay("r", 21, {
      since: { epoch, offset: 20 },
      limit: 50,
    });
    assert.deepEqual(lost, { recovered: false, messages: [] });
    const [next] = await appended(store, "r", drafts("z"));
    assert.equal(next.offset, 22);
  },
}, {
  name: "close() forgets a room once no store serves it: opened again, it " +
    "starts at offset 0 with a new epoch",
  bounds: { historyTtl: 0 },
  async run({ store }) {
    const first = await store.open("r", ignore);
    await store.append("r", drafts("a", "b"));
    await store.updatePresence("r", [ADA], []);
    await store.updatePresence("r", [], [ADA]);
    await store.close("r");
    await eventually("the room's history to expire", async () => {
      const { messages } = await store.replay("r", LATEST, { limit: 10 });
      return messages.length === 0;
    });
    const again = await store.open("r", ignore);
    assert.equal(again.offset, 0);
    assert.notEqual(again.epoch, first.epoch);
    assert.deepEqual(await store.presence("r"), []);
    const [message] = await appended(store, "r", drafts("c"));
    assert.equal(message.offset, 1);
    const old = await store.replay("r", 1, {
      since: { epoch: first.epoch, offset: 2 },
      limit: 10,
    });
    assert.equal(old.recovered, false, "the old epoch's positions are gone");
    assert.deepEqual(offsets(old.messages), [1]);
  },
}, {
  name: "close() forgets a room that never had a message or a member too",
  bounds: { historyTtl: 0 },
  async run({ store }) {
    const first = await store.open("r", ignore);
    await store.close("r");
    await eventually("the room to start afresh", async () => {
      const again = await store.open("r", ignore);
      await store.close("r");
      return again.epoch !== first.epoch;
    });
  },
}, {
  name: "a store that lost a room's stream reports a reset, then feeds a " +
    "new epoch from offset 1",
  needs: "loses",
  async run(setup) {
    const { store } = setup;
    const seen: (number | Position)[] = [];
    const first = await store.open("r", (m) => seen.push(...offsets(m)), {
      reset: (position) => seen.push(position),
    });
    await store.append("r", drafts("a", "b"));
    await setup.wipe!();
    const [message] = await appended(store, "r", drafts("c"));
    assert.equal(message.offset, 1);
    const reset = seen[2] as Position;
    assert.notEqual(reset.epoch, first.epoch, "a new epoch");
    assert.deepEqual(seen, [1, 2, { epoch: reset.epoch, offset: 0 }, 1]);
    const old = await store.replay("r", 1, {
      since: { epoch: first.epoch, offset: 2 },
      limit: 10,
    });
    assert.equal(old.recovered, false);
    assert.deepEqual(old.messages.map((m) => m.text), ["c"]);
  },
}];
