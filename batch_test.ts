import assert from "node:assert/strict";
import { Batch } from "./batch.ts";

Deno.test("Batch.frame joins messages by one LF with none trailing (O1)", () => {
  assert.equal(new Batch(["a"]).frame, "a");
  assert.equal(new Batch(["a", "", "b"]).frame, "a\n\nb");
  assert.equal(new Batch([""]).frame, "");
});

Deno.test("Batch.slice() keeps the first messages in order", () => {
  const batch = new Batch(["a", "b", "c"]);
  assert.deepEqual(batch.slice(2).messages, ["a", "b"]);
  assert.equal(batch.slice(2).frame, "a\nb");
  assert.equal(batch.slice(3), batch, "a slice of everything is the batch");
  assert.equal(batch.size, 3);
});

Deno.test("Batch refuses to hold no messages", () => {
  assert.throws(() => new Batch([]), RangeError);
});
