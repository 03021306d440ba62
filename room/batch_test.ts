import assert from "node:assert/strict";
import { Batch } from "./batch.ts";
import { EVENTS } from "../protocol/events.ts";
import { LINES } from "../protocol/lines.ts";
import { stored } from "../test_util/messages.ts";

Deno.test("Batch.text(LINES) joins messages by one LF with none trailing (O1)", () => {
  assert.equal(new Batch(stored(["a"])).text(LINES), "a");
  assert.equal(new Batch(stored(["a", "", "b"])).text(LINES), "a\n\nb");
  assert.equal(new Batch(stored([""])).text(LINES), "");
});

Deno.test("Batch.text(EVENTS) puts notices before message events (S3, E1)", () => {
  const batch = new Batch(stored(["a", "b"]), ['{"type":"presence"}']);
  const events = JSON.parse(`[${batch.text(EVENTS)}]`);
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
  assert.equal(batch.size(LINES), 2);
  assert.equal(batch.size(EVENTS), 3);
  assert.equal(batch.text(LINES), "a\nb");
});

Deno.test("Batch serialises each message once, however many read it", () => {
  const messages = stored(["x"]);
  const first = new Batch(messages).text(EVENTS);
  assert.equal(messages[0].json, first, "the event is kept on the message");
  assert.equal(new Batch(messages).text(EVENTS), first);
});

Deno.test("Batch.slice() keeps the first messages or events in order", () => {
  const batch = new Batch(stored(["a", "b", "c"]), ['{"n":1}']);
  assert.deepEqual(batch.slice(LINES, 2).messages.map((m) => m.text), [
    "a",
    "b",
  ]);
  assert.equal(batch.slice(LINES, 2).text(LINES), "a\nb");
  const events = batch.slice(EVENTS, 2);
  assert.deepEqual(events.notices, ['{"n":1}']);
  assert.deepEqual(events.messages.map((m) => m.text), ["a"]);
  assert.equal(batch.slice(LINES, 3), batch, "a slice of everything is itself");
});

Deno.test("Batch refuses to hold nothing", () => {
  assert.throws(() => new Batch([]), RangeError);
});

Deno.test("Batch.frame() is the whole frame, built once for every member", () => {
  const batch = new Batch(stored(["a", "b"]));
  assert.equal(batch.frame(LINES), "a\nb");
  const array = batch.frame(EVENTS);
  assert.equal(array, `[${batch.text(EVENTS)}]`);
  assert.equal(JSON.parse(array).length, 2);
  assert.equal(batch.frame(EVENTS), array);
});
