import assert from "node:assert/strict";
import { MemoryStore, messageCost } from "./memory.ts";
import type { StoredMessage } from "./store.ts";

const from = { client: "c1", nick: "ada" };
const drafts = (...texts: string[]) => texts.map((text) => ({ text, from }));

Deno.test("MemoryStore.append() gives offsets 1..N and feeds them first (R6)", async () => {
  const store = new MemoryStore({ now: () => 42 });
  const fed: StoredMessage[][] = [];
  const start = await store.open("r", (m) => fed.push([...m]));
  assert.equal(start.offset, 0);
  const first = await store.append("r", drafts("a", "b"));
  const second = await store.append("r", drafts("c"));
  assert.deepEqual([...first, ...second].map((m) => m.offset), [1, 2, 3]);
  assert.deepEqual(fed.map((batch) => batch.map((m) => m.text)), [
    ["a", "b"],
    ["c"],
  ]);
  assert.equal(first[0].ts, 42);
  assert.equal(first[0].room, "r");
});

Deno.test("MemoryStore keeps history within its count and byte budgets", async () => {
  const byCount = new MemoryStore({ historySize: 3 });
  await byCount.open("r", () => {});
  await byCount.append("r", drafts("1", "2", "3", "4", "5"));
  const recent = await byCount.replay("r", 5, { limit: 10 });
  assert.deepEqual(recent.messages.map((m) => m.text), ["3", "4", "5"]);

  const budget = 2 * messageCost("xx") + 1;
  const byBytes = new MemoryStore({ historyBytes: budget });
  await byBytes.open("r", () => {});
  await byBytes.append("r", drafts("aa", "bb", "cc"));
  const kept = await byBytes.replay("r", 3, { limit: 10 });
  assert.deepEqual(kept.messages.map((m) => m.text), ["bb", "cc"]);
});

Deno.test("MemoryStore.replay() recovers exactly, or says it cannot (C2)", async () => {
  const store = new MemoryStore({ historySize: 5 });
  const { epoch } = await store.open("r", () => {});
  await store.append("r", drafts("1", "2", "3", "4", "5", "6", "7"));
  const exact = await store.replay("r", 7, {
    since: { epoch, offset: 4 },
    limit: 2,
  });
  assert.deepEqual(exact, {
    recovered: true,
    messages: await store.before("r", 8, 3),
  });
  // Cut at upTo: later messages reach the joiner live.
  const cut = await store.replay("r", 6, {
    since: { epoch, offset: 4 },
    limit: 2,
  });
  assert.deepEqual(cut.messages.map((m) => m.offset), [5, 6]);
  const caughtUp = await store.replay("r", 7, {
    since: { epoch, offset: 7 },
    limit: 2,
  });
  assert.deepEqual(caughtUp, { recovered: true, messages: [] });
  for (
    const since of [{ epoch, offset: 1 }, { epoch: "other", offset: 5 }, {
      epoch,
      offset: 8,
    }]
  ) {
    const lost = await store.replay("r", 7, { since, limit: 2 });
    assert.equal(lost.recovered, false, JSON.stringify(since));
    assert.deepEqual(lost.messages.map((m) => m.offset), [6, 7]);
  }
});

Deno.test("MemoryStore.before() pages backwards within what it kept (C5)", async () => {
  const store = new MemoryStore({ historySize: 4 });
  await store.open("r", () => {});
  await store.append("r", drafts("1", "2", "3", "4", "5", "6"));
  assert.deepEqual((await store.before("r", 6, 2)).map((m) => m.offset), [
    4,
    5,
  ]);
  assert.deepEqual((await store.before("r", 5, 10)).map((m) => m.offset), [
    3,
    4,
  ]);
  assert.deepEqual(await store.before("r", 3, 10), []);
  assert.deepEqual((await store.before("r", 100, 1)).map((m) => m.offset), [6]);
});

Deno.test("MemoryStore.close() forgets a room: reopened, it has a new epoch (R4)", async () => {
  const store = new MemoryStore();
  const first = await store.open("r", () => {});
  await store.append("r", drafts("x"));
  await store.updatePresence("r", [from], []);
  await store.close("r");
  assert.equal(store.size, 0);
  const again = await store.open("r", () => {});
  assert.notEqual(again.epoch, first.epoch);
  assert.equal(again.offset, 0);
  assert.deepEqual(await store.presence("r"), []);
});

Deno.test("MemoryStore presence follows joins and leaves (E2)", async () => {
  const store = new MemoryStore();
  await store.open("r", () => {});
  const bob = { client: "c2", nick: null };
  await store.updatePresence("r", [from, bob], []);
  await store.updatePresence("r", [], [from]);
  assert.deepEqual(await store.presence("r"), [bob]);
});

Deno.test("MemoryStore finds a room that is not open empty, and rejects writes to it without throwing", async () => {
  const store = new MemoryStore();
  const member = { client: "c1", nick: "ada" };
  assert.deepEqual(await store.before("nowhere", 10, 5), []);
  assert.deepEqual(await store.presence("nowhere"), []);
  assert.deepEqual(await store.replay("nowhere", 0, { limit: 50 }), {
    recovered: false,
    messages: [],
  });
  // Each call returns a promise that rejects: a synchronous throw would
  // escape the caller's .then() or .catch().
  const append = store.append("nowhere", [{ text: "hi", from: member }]);
  await assert.rejects(append, RangeError);
  const presence = store.updatePresence("nowhere", [member], []);
  await assert.rejects(presence, RangeError);
});
