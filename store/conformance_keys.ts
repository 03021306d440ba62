/**
 * The store conformance cases about send keys (C7): a draft whose key, in
 * its scope, belongs to a message still in the room's history is a repeat,
 * neither stored nor fed, and answered with the first message's offset.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  ADA,
  appended,
  BOB,
  type ConformanceCase,
  eventually,
  ignore,
  LATEST,
  offsets,
  openFed,
} from "./conformance_case.ts";
import type { Draft, Member, Store } from "./store.ts";

/** A key as a client would choose it: 16 to 64 of `[A-Za-z0-9_-]`. */
const K1 = "k1-0123456789abcdef";
const K2 = "k2-0123456789abcdef";

/** Another member of ada's user, on another connection. */
const ADA_AGAIN: Member = { client: "c9", nick: "ada", user: ADA.user };
/** A member of another user. */
const CY: Member = { client: "c3", nick: "cy", user: "u-cy" };

/** A draft of `text` from `from`, with `key` when given. */
function keyed(text: string, from: Member, key?: string): Draft {
  return key === undefined ? { text, from } : { text, from, key };
}

/** The texts the room's history holds, oldest first. */
async function texts(store: Store, room: string): Promise<string[]> {
  return (await store.before(room, LATEST, 100)).map((m) => m.text);
}

/** What every store does with send keys. */
export const KEY_CASES: readonly ConformanceCase[] = [{
  name: "append() of a key whose message is kept stores nothing, feeds " +
    "nothing and answers the first message's offset, whatever the text",
  async run({ store }) {
    const fed = await openFed(store, "r");
    const first = await store.append("r", [
      keyed("a", ADA),
      keyed("b", ADA, K1),
    ]);
    assert.deepEqual(first.offsets, [1, 2]);
    assert.deepEqual(offsets(first.messages), [1, 2]);
    const again = await store.append("r", [
      keyed("c", BOB),
      keyed("b, sent again", ADA, K1),
      keyed("d", ADA, K2),
    ]);
    assert.deepEqual(again.offsets, [3, 2, 4], "the repeat gets offset 2");
    assert.deepEqual(offsets(again.messages), [3, 4], "only new ones stored");
    assert.deepEqual(again.messages.map((m) => m.text), ["c", "d"]);
    const alone = await store.append("r", [keyed("b?", ADA_AGAIN, K1)]);
    assert.deepEqual(alone, { messages: [], offsets: [2] }, "same user");
    assert.deepEqual(offsets(fed), [1, 2, 3, 4], "fed once each");
    assert.deepEqual(await texts(store, "r"), ["a", "b", "c", "d"]);
    const [next] = await appended(store, "r", [keyed("e", ADA)]);
    assert.equal(next.offset, 5, "a repeat takes no offset");
  },
}, {
  name: "append() of one key twice in one call stores the first draft, and " +
    "answers the second with its offset",
  async run({ store }) {
    const fed = await openFed(store, "r");
    const result = await store.append("r", [
      keyed("x", BOB),
      keyed("first", ADA, K1),
      keyed("second", ADA, K1),
      keyed("y", BOB),
      keyed("third", ADA, K1),
    ]);
    assert.deepEqual(result.offsets, [1, 2, 2, 3, 2]);
    assert.deepEqual(result.messages.map((m) => m.text), ["x", "first", "y"]);
    assert.deepEqual(offsets(fed), [1, 2, 3]);
  },
}, {
  name: "append() scopes a key by user: another user's, or no user's, " +
    "same key is another message; so is the same key in another room",
  async run({ store }) {
    await store.open("r", ignore);
    await store.open("s", ignore);
    const noUser: Member = { client: "c4", nick: "dee" };
    const result = await store.append("r", [
      keyed("ada's", ADA, K1),
      keyed("cy's", CY, K1),
      keyed("nobody's", noUser, K1),
      keyed("bob's", BOB, K1),
      keyed("cy's again", CY, K1),
    ]);
    // Without a token the scope is the room alone: bob repeats dee.
    assert.deepEqual(result.offsets, [1, 2, 3, 3, 2]);
    const other = await store.append("s", [keyed("ada's in s", ADA, K1)]);
    assert.deepEqual(other.offsets, [1], "another room, another scope");
    assert.deepEqual(await texts(store, "r"), ["ada's", "cy's", "nobody's"]);
  },
}, {
  name: "append() stores a key again once its message has left the history",
  bounds: { historySize: 2 },
  async run({ store }) {
    const fed = await openFed(store, "r");
    await store.append("r", [keyed("first", ADA, K1)]);
    await store.append("r", [keyed("a", BOB), keyed("b", BOB)]);
    // Message 1 was dropped: its key counts for nothing now.
    const again = await store.append("r", [keyed("first again", ADA, K1)]);
    assert.deepEqual(again.offsets, [4]);
    assert.deepEqual(await texts(store, "r"), ["b", "first again"]);
    const repeat = await store.append("r", [keyed("third", ADA, K1)]);
    assert.deepEqual(repeat.offsets, [4], "the new message is the first");
    // Many keys through a small history: each is new once its message left.
    for (let i = 0; i < 20; i++) {
      const key = `many-${String(i).padStart(12, "0")}`;
      const result = await store.append("r", [keyed(`m${i}`, ADA, key)]);
      assert.deepEqual(result.offsets, [5 + i]);
    }
    const old = await store.append("r", [keyed("x", ADA, "many-000000000000")]);
    assert.deepEqual(old.offsets, [25], "long gone, so stored");
    assert.equal(fed.length, 25);
  },
}, {
  name: "append() stores a key again once its message was dropped for the " +
    "byte budget",
  bounds: { historyBytes: 10_000 },
  async run({ store }) {
    await store.open("r", ignore);
    await store.append("r", [keyed("small", ADA, K1)]);
    const big = "y".repeat(2000);
    for (let i = 0; i < 6; i++) await store.append("r", [keyed(big, BOB)]);
    assert.ok(!(await texts(store, "r")).includes("small"), "dropped");
    const again = await store.append("r", [keyed("small again", ADA, K1)]);
    assert.deepEqual(again.offsets, [8]);
  },
}, {
  name: "append() stores every draft without a key, repeated text or not",
  async run({ store }) {
    await store.open("r", ignore);
    const first = await store.append("r", [keyed("hi", ADA), keyed("hi", ADA)]);
    const second = await store.append("r", [keyed("hi", ADA)]);
    assert.deepEqual([...first.offsets, ...second.offsets], [1, 2, 3]);
    assert.deepEqual(await texts(store, "r"), ["hi", "hi", "hi"]);
  },
}, {
  name: "a key is forgotten with its room: opened again, the room stores it",
  bounds: { historyTtl: 0 },
  async run({ store }) {
    await store.open("r", ignore);
    await store.append("r", [keyed("a", BOB), keyed("b", ADA, K1)]);
    await store.close("r");
    await eventually("the room's history to expire", async () => {
      return (await texts(store, "r")).length === 0;
    });
    await store.open("r", ignore);
    const again = await store.append("r", [keyed("b again", ADA, K1)]);
    assert.deepEqual(again.offsets, [1]);
  },
}, {
  name: "a key is forgotten when the store lost the room's stream",
  needs: "loses",
  async run(setup) {
    const { store } = setup;
    await store.open("r", ignore);
    await store.append("r", [keyed("a", BOB), keyed("b", ADA, K1)]);
    await setup.wipe!();
    const again = await store.append("r", [keyed("b again", ADA, K1)]);
    assert.deepEqual(again.offsets, [1]);
    assert.deepEqual(await texts(store, "r"), ["b again"]);
  },
}, {
  name: "a repeat through another store serving the room gets the first " +
    "offset, and no store is fed it",
  needs: "shares",
  async run(setup) {
    const [a, b] = [setup.store, await setup.another!()];
    const [fedA, fedB] = [await openFed(a, "r"), await openFed(b, "r")];
    await a.append("r", [keyed("a1", ADA, K1)]);
    const [onA, onB] = await Promise.all([
      a.append("r", [keyed("a2", ADA, K2)]),
      b.append("r", [keyed("a2 from b", ADA_AGAIN, K2)]),
    ]);
    // Whichever came first is stored; the other is its repeat.
    assert.deepEqual([...onA.offsets, ...onB.offsets], [2, 2]);
    assert.equal(onA.messages.length + onB.messages.length, 1);
    const fromB = await b.append("r", [keyed("a1 from b", ADA_AGAIN, K1)]);
    assert.deepEqual(fromB.offsets, [1]);
    const [b1] = await appended(b, "r", [keyed("b1", BOB)]);
    assert.equal(b1.offset, 3);
    await eventually("both to be fed 3", () => fedA.length >= 3);
    await eventually("b to be fed 3", () => fedB.length >= 3);
    for (const fed of [fedA, fedB]) assert.deepEqual(offsets(fed), [1, 2, 3]);
  },
}];
