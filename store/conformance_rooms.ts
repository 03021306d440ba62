/**
 * The store conformance cases about rooms: presence, rooms that are not
 * open, and rooms that several stores (nodes, workers) serve at once.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  ADA,
  appended,
  BOB,
  byClient,
  type ConformanceCase,
  drafts,
  eventually,
  ignore,
  LATEST,
  offsets,
  openFed,
  promised,
} from "./conformance_case.ts";
import type { Member, Store, StoredMessage } from "./store.ts";

const CY: Member = { client: "c3", nick: "cy" };

/** What every store does with presence and with rooms not open. */
export const ROOM_CASES: readonly ConformanceCase[] = [{
  name: "updatePresence() and presence() follow joins and leaves, with " +
    "each member as it joined",
  async run({ store }) {
    await store.open("r", ignore);
    await store.updatePresence("r", [ADA, BOB], []);
    assert.deepEqual(byClient(await store.presence("r")), [ADA, BOB]);
    await store.updatePresence("r", [], [ADA, CY]);
    assert.deepEqual(await store.presence("r"), [BOB], "cy was not there");
    const renamed = { client: BOB.client, nick: "bobby" };
    await store.updatePresence("r", [renamed], []);
    assert.deepEqual(await store.presence("r"), [renamed], "one per client");
    // A turn's leaves come before its joins: who left and came back is in.
    await store.updatePresence("r", [ADA], [ADA]);
    assert.deepEqual(byClient(await store.presence("r")), [ADA, renamed]);
    await store.open("other", ignore);
    assert.deepEqual(await store.presence("other"), [], "per room");
  },
}, {
  name: "a room never opened reads empty",
  async run({ store }) {
    assert.deepEqual(await store.before("nowhere", LATEST, 10), []);
    assert.deepEqual(await store.presence("nowhere"), []);
    const since = { epoch: "gone", offset: 3 };
    for (const options of [{ limit: 50 }, { since, limit: 50 }]) {
      assert.deepEqual(await store.replay("nowhere", LATEST, options), {
        recovered: false,
        messages: [],
      });
    }
    await store.close("nowhere");
  },
}, {
  name: "writes to a room not open reject with a RangeError, and never throw",
  async run({ store }) {
    await rejectsWrites(store, "nowhere");
    await store.open("closed", ignore);
    await store.close("closed");
    await rejectsWrites(store, "closed");
    await store.close("closed");
    assert.deepEqual(await store.presence("closed"), [], "nobody was added");
  },
}];

/** What every store does with a room other stores serve too. */
export const SHARED_CASES: readonly ConformanceCase[] = [{
  name: "every store serving a room is fed every message, whichever store " +
    "appended it, in offset order",
  needs: "shares",
  async run(setup) {
    const [a, b] = [setup.store, await setup.another!()];
    const [fedA, fedB] = [await openFed(a, "r"), await openFed(b, "r")];
    await a.append("r", drafts("a1"));
    const fromB = await appended(b, "r", drafts("b1", "b2"));
    assert.deepEqual(offsets(fromB), [2, 3]);
    await a.append("r", drafts("a2"));
    await eventually("both to be fed 4", () => fedB.length >= 4);
    for (const fed of [fedA, fedB]) {
      assert.deepEqual(offsets(fed), [1, 2, 3, 4]);
      assert.deepEqual(fed.map((m) => m.text), ["a1", "b1", "b2", "a2"]);
    }
  },
}, {
  name: "presence spans the stores, and each is told the others' changes, " +
    "not its own",
  needs: "shares",
  async run(setup) {
    const [a, b] = [setup.store, await setup.another!()];
    const toldA: unknown[] = [];
    const toldB: unknown[] = [];
    await a.open("r", ignore, {
      presence: (joined, left) => toldA.push({ joined, left }),
    });
    await b.open("r", ignore, {
      presence: (joined, left) => toldB.push({ joined, left }),
    });
    await b.updatePresence("r", [ADA], []);
    await eventually("a to be told ada joined", () => toldA.length > 0);
    assert.deepEqual(await a.presence("r"), [ADA]);
    await a.updatePresence("r", [BOB], []);
    await eventually("b to be told bob joined", () => toldB.length > 0);
    await b.updatePresence("r", [], [ADA]);
    await eventually("a to be told ada left", () => toldA.length > 1);
    // Each store was told of its own change before the other's, if at all.
    assert.deepEqual(toldA, [
      { joined: [ADA], left: [] },
      { joined: [], left: [ADA] },
    ]);
    assert.deepEqual(toldB, [{ joined: [BOB], left: [] }]);
    assert.deepEqual(await b.presence("r"), [BOB]);
  },
}, {
  name: "a store writes only to rooms it opened, and reads the others' too",
  needs: "shares",
  async run(setup) {
    const [a, b] = [setup.store, await setup.another!()];
    await a.open("r", ignore);
    await a.append("r", drafts("a1"));
    await a.updatePresence("r", [ADA], []);
    await rejectsWrites(b, "r");
    assert.deepEqual(offsets(await b.before("r", LATEST, 10)), [1]);
    assert.deepEqual(await b.presence("r"), [ADA]);
  },
}, {
  name: "a room one store closes stays open for the others",
  needs: "shares",
  async run(setup) {
    const [a, b] = [setup.store, await setup.another!()];
    const fedA: StoredMessage[] = [];
    const { epoch } = await a.open("r", (messages) => fedA.push(...messages));
    await b.open("r", ignore);
    await a.append("r", drafts("a1"));
    await a.close("r");
    const [b1] = await appended(b, "r", drafts("b1"));
    assert.equal(b1.offset, 2);
    const replay = await b.replay("r", 2, {
      since: { epoch, offset: 0 },
      limit: 10,
    });
    assert.equal(replay.recovered, true, "the same epoch");
    assert.deepEqual(offsets(replay.messages), [1, 2]);
    assert.deepEqual(offsets(fedA), [1], "a closed it: a is fed no more");
  },
}];

/** Fails unless every write `store` gets for `room` rejects as not open. */
async function rejectsWrites(store: Store, room: string): Promise<void> {
  const append = promised("append()", () => store.append(room, drafts("a")));
  await assert.rejects(append, RangeError);
  await assert.rejects(append, new RegExp(`"${room}".*not open`));
  const join = promised(
    "updatePresence()",
    () => store.updatePresence(room, [CY], []),
  );
  await assert.rejects(join, RangeError);
}
