import assert from "node:assert/strict";
import {
  type Connection,
  listRooms,
  type Operable,
  publish,
  readHistory,
  removeMember,
  UnavailableError,
} from "./operations.ts";
import { Rooms, type RoomsOptions } from "../room/rooms.ts";
import { MemoryStore } from "../store/memory.ts";
import type { CloseReason } from "../util/close_reasons.ts";
import { deadline } from "../test_util/natter.ts";
import { HeldStore } from "../test_util/held_store.ts";

/** Rooms on `store`, with no connections but those given. */
function operable(
  store = new MemoryStore(),
  connections = new Map<string, Connection>(),
  options: RoomsOptions = {},
): Operable & AsyncDisposable {
  const rooms = new Rooms(store, options);
  return {
    rooms,
    connections,
    maxMessageSize: 16,
    historyPage: 3,
    [Symbol.asyncDispose]: () => rooms.close(),
  };
}

Deno.test("publish() posts in the room's order and returns each offset", async () => {
  await using ops = operable();
  assert.equal(await publish(ops, "news", "one"), 1);
  assert.equal(await publish(ops, "news", " two\n", { nick: " bot " }), 2);
  assert.equal(await publish(ops, "other", "x", { nick: null }), 1);
  const history = await readHistory(ops, "news");
  assert.deepEqual(history?.map((m) => [m.offset, m.text, m.from]), [
    [1, "one", { client: "api", nick: null }],
    [2, "two", { client: "api", nick: "bot" }],
  ]);
});

Deno.test("publish() refuses what is not a message, with the error that fits", async (t) => {
  await using ops = operable();
  const cases: [string, unknown[], ErrorConstructor][] = [
    ["a room that is no name", ["a/b", "x"], TypeError],
    ["an empty room", ["", "x"], TypeError],
    ["a room of 65 characters", ["r".repeat(65), "x"], TypeError],
    ["a room that is not a string", [42, "x"], TypeError],
    ["a text that is not a string", ["news", { text: "x" }], TypeError],
    ["a text over the limit", ["news", "é".repeat(9)], RangeError],
    [
      "a nick with a control character",
      ["news", "x", { nick: "a\u0007" }],
      TypeError,
    ],
    [
      "a nick of 33 characters",
      ["news", "x", { nick: "n".repeat(33) }],
      TypeError,
    ],
    ["a nick that is not a string", ["news", "x", { nick: 7 }], TypeError],
  ];
  for (const [name, args, kind] of cases) {
    await t.step(name, async () => {
      await assert.rejects(
        // deno-lint-ignore no-explicit-any
        publish(ops, ...(args as [any, any, any])),
        (error: Error) =>
          error instanceof kind && /^Cannot /.test(error.message),
      );
    });
  }
  assert.deepEqual(listRooms(ops), [], "no room was opened by a refusal");
});

Deno.test("publish() in a flood: the room's intake refuses what cannot wait, as UnavailableError", async () => {
  const store = new HeldStore();
  await using ops = operable(store, new Map(), { backlog: 1, maxWaiting: 1 });
  const posts = ["a", "b", "c", "d"].map((text) =>
    publish(ops, "busy", text).then(
      (offset) => offset,
      (error: Error) => error,
    )
  );
  const first = await deadline(Promise.race(posts), "the first refusal");
  store.release();
  assert.ok(first instanceof UnavailableError, String(first));
  const outcomes = await deadline(Promise.all(posts), "every post settled");
  assert.equal(outcomes.filter((o) => o instanceof UnavailableError).length, 1);
  assert.deepEqual(outcomes.filter((o) => typeof o === "number"), [1, 2, 3]);
});

Deno.test("publish() when the server holds its most rooms: UnavailableError", async () => {
  await using ops = operable(new MemoryStore(), new Map(), { maxRooms: 1 });
  // A room held open (as a member would hold it) cannot give way.
  assert.ok(ops.rooms.get("held"));
  await assert.rejects(
    publish(ops, "new", "x"),
    (error: Error) =>
      error instanceof UnavailableError && /most rooms/.test(error.message),
  );
  assert.deepEqual(listRooms(ops), [{ room: "held", members: 0 }]);
});

Deno.test("readHistory() pages within the history page, and checks its numbers", async (t) => {
  await using ops = operable();
  for (const text of ["1", "2", "3", "4", "5"]) {
    await publish(ops, "news", text);
  }
  const texts = async (options = {}) =>
    (await readHistory(ops, "news", options))?.map((m) => m.text);
  assert.deepEqual(await texts(), ["3", "4", "5"], "the page at most");
  assert.deepEqual(await texts({ limit: 100 }), ["3", "4", "5"]);
  assert.deepEqual(await texts({ before: 3, limit: 2 }), ["1", "2"]);
  assert.deepEqual(await texts({ limit: 0 }), []);
  assert.equal(await readHistory(ops, "nowhere"), undefined);
  for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 60]) {
    await t.step(`limit ${bad}, before ${bad}`, async () => {
      await assert.rejects(
        readHistory(ops, "news", { limit: bad }),
        RangeError,
      );
      await assert.rejects(
        readHistory(ops, "news", { before: bad }),
        RangeError,
      );
    });
  }
  await assert.rejects(readHistory(ops, "../news"), TypeError);
});

Deno.test("removeMember() closes a member of the room with 1008, its reason cut to fit", async () => {
  const closes: CloseReason[] = [];
  const member: Connection = {
    rooms: () => ["news"],
    kick: (close) => closes.push(close),
  };
  await using ops = operable(new MemoryStore(), new Map([["ab-1", member]]));
  assert.equal(removeMember(ops, "other", "ab-1"), false, "not in that room");
  assert.equal(removeMember(ops, "news", "ab-2"), false, "no such client");
  assert.equal(removeMember(ops, "news", "ab-1"), true);
  assert.equal(
    removeMember(ops, "news", "ab-1", { reason: "é".repeat(100) }),
    true,
  );
  assert.deepEqual(closes, [
    { code: 1008, reason: "removed by the server" },
    { code: 1008, reason: "é".repeat(61) },
  ]);
  assert.throws(
    () => removeMember(ops, "news", "ab-1", { reason: 5 as unknown as string }),
    TypeError,
  );
  assert.throws(() => removeMember(ops, "bad room", "ab-1"), TypeError);
  assert.equal(closes.length, 2);
});
