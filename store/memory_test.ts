/**
 * What only the memory store does; what every store does is in the
 * conformance suite (`conformance_test.ts`).
 */

import assert from "node:assert/strict";
import { MemoryStore, messageCost } from "./memory.ts";
import { scopedKey } from "./send_key.ts";

const from = { client: "c1", nick: "ada" };
const drafts = (...texts: string[]) => texts.map((text) => ({ text, from }));

Deno.test("MemoryStore.append() stamps messages with its clock", async () => {
  const store = new MemoryStore({ now: () => 42 });
  await store.open("r", () => {});
  const { messages } = await store.append("r", drafts("a", "b"));
  assert.deepEqual(messages.map((m) => m.ts), [42, 42]);
});

Deno.test("MemoryStore counts its byte budget as messageCost() does", async () => {
  const budget = 2 * messageCost("xx") + 1;
  const store = new MemoryStore({ historyBytes: budget });
  await store.open("r", () => {});
  await store.append("r", drafts("aa", "bb", "cc"));
  const kept = await store.replay("r", 3, { limit: 10 });
  assert.deepEqual(kept.messages.map((m) => m.text), ["bb", "cc"]);
});

Deno.test("MemoryStore counts a message's send key (C7) against its byte budget", async () => {
  const keys = ["a", "b", "c"].map((c) => c.repeat(16));
  const scoped = scopedKey({ text: "xx", from, key: keys[0] });
  // Two such messages without their keys would fit; with them, one does.
  const budget = 2 * messageCost("xx", scoped) - 1;
  assert.ok(2 * messageCost("xx") < budget);
  const store = new MemoryStore({ historyBytes: budget });
  await store.open("r", () => {});
  const texts = ["aa", "bb", "cc"];
  await store.append(
    "r",
    texts.map((text, i) => ({ text, from, key: keys[i] })),
  );
  const kept = await store.replay("r", 3, { limit: 10 });
  assert.deepEqual(kept.messages.map((m) => m.text), ["cc"]);
});

Deno.test("MemoryStore.close() forgets a room at once (R4)", async () => {
  const store = new MemoryStore();
  const first = await store.open("r", () => {});
  await store.append("r", drafts("x"));
  await store.updatePresence("r", [from], []);
  assert.equal(store.size, 1);
  await store.close("r");
  assert.equal(store.size, 0);
  assert.deepEqual(await store.before("r", 10, 10), []);
  const again = await store.open("r", () => {});
  assert.notEqual(again.epoch, first.epoch);
  assert.equal(again.offset, 0);
  assert.deepEqual(await store.presence("r"), []);
});
