import assert from "node:assert/strict";
import { Batch } from "./batch.ts";
import { stored } from "../test_util/messages.ts";

Deno.test("Batch.text(false) joins messages by one LF with none trailing (O1)", () => {
  assert.equal(new Batch(stored(["a"])).text(false), "a");
  assert.equal(new Batch(stored(["a", "", "b"])).text(false), "a\n\nb");
  assert.equal(new Batch(stored([""])).text(false), "");
});

Deno.test("Batch.text(true) puts notices before message events (S3, E1)", () => {
  const batch = new Batch(stored(["a", "b"]), ['{"type":"presence"}']);
  const events = JSON.parse(`[${batch.text(true)}]`);
  assert.deepEqual(events.map((e: { type: string }) => e.type), [
    "presence",
    "message",
    "message",
  ]);
  assert.deepEqual(events[1], {
    type: "message",
    room: "lobby",
    offset: 1,
    from: { client: "c1", nick: null },
    text: "a",
    ts: 1_700_000_000_000,
  });
  // Notices are for natter.v1 members only.
  assert.equal(batch.size(false), 2);
  assert.equal(batch.size(true), 3);
  assert.equal(batch.text(false), "a\nb");
});

Deno.test("Batch serialises each message once, however many read it", () => {
  const messages = stored(["x"]);
  const first = new Batch(messages).text(true);
  assert.equal(messages[0].json, first, "the event is kept on the message");
  assert.equal(new Batch(messages).text(true), first);
});

Deno.test("Batch.slice() keeps the first messages or events in order", () => {
  const batch = new Batch(stored(["a", "b", "c"]), ['{"n":1}']);
  assert.deepEqual(batch.slice(false, 2).messages.map((m) => m.text), [
    "a",
    "b",
  ]);
  assert.equal(batch.slice(false, 2).text(false), "a\nb");
  const events = batch.slice(true, 2);
  assert.deepEqual(events.notices, ['{"n":1}']);
  assert.deepEqual(events.messages.map((m) => m.text), ["a"]);
  assert.equal(batch.slice(false, 3), batch, "a slice of everything is itself");
});

Deno.test("Batch refuses to hold nothing", () => {
  assert.throws(() => new Batch([]), RangeError);
});

Deno.test("Batch.frame() is the whole frame, built once for every member", () => {
  const batch = new Batch(stored(["a", "b"]));
  assert.equal(batch.frame(false), "a\nb");
  const array = batch.frame(true);
  assert.equal(array, `[${batch.text(true)}]`);
  assert.equal(JSON.parse(array).length, 2);
  assert.equal(batch.frame(true), array);
});
