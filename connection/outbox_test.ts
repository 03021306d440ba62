import assert from "node:assert/strict";
import { Batch } from "../room/batch.ts";
import { Outbox } from "./outbox.ts";
import { EVENTS } from "../protocol/events.ts";
import { LINES } from "../protocol/lines.ts";
import { stored } from "../test_util/messages.ts";

Deno.test("Outbox.take() joins every queued batch into one frame (O1)", async () => {
  const outbox = new Outbox(10, LINES);
  const shared = new Batch(stored(["a", "b"]));
  assert.ok(outbox.offer(shared));
  assert.equal(await outbox.wait(), true);
  assert.equal(outbox.take(), "a\nb");
  assert.ok(outbox.offer(shared));
  assert.ok(outbox.offer(new Batch(stored(["c"]))));
  assert.equal(outbox.size, 3);
  assert.equal(outbox.take(), "a\nb\nc");
  assert.equal(outbox.size, 0);
});

Deno.test("Outbox.offer() queues what fits, then refuses (K1, A5)", () => {
  const outbox = new Outbox(3, LINES);
  assert.ok(outbox.offer(new Batch(stored(["a", "b"]))));
  // Room for one more: "c" is queued, "d" is not, and the offer fails.
  assert.equal(outbox.offer(new Batch(stored(["c", "d"]))), false);
  assert.equal(outbox.size, 3);
  assert.equal(outbox.offer(new Batch(stored(["e"]))), false);
  assert.equal(outbox.take(), "a\nb\nc");
});

Deno.test("Outbox.wait() wakes on an offer and ends when closed and empty", async () => {
  const outbox = new Outbox(2, LINES);
  const woken = outbox.wait();
  outbox.offer(new Batch(stored(["x"])));
  assert.equal(await woken, true);
  outbox.close();
  // What was queued before the close can still be taken.
  assert.equal(await outbox.wait(), true);
  assert.equal(outbox.take(), "x");
  assert.equal(await outbox.wait(), false);
  assert.equal(outbox.offer(new Batch(stored(["late"]))), false);
  const parked = new Outbox(1, LINES);
  const ended = parked.wait();
  parked.close();
  assert.equal(await ended, false);
});

Deno.test("Outbox refuses a capacity that is not a positive integer", () => {
  for (const capacity of [0, -1, 1.5, NaN]) {
    assert.throws(() => new Outbox(capacity, LINES), RangeError);
  }
});

Deno.test("Outbox.discard() drops what is queued, so nothing keeps it alive", async () => {
  const outbox = new Outbox(4, LINES);
  outbox.offer(new Batch(stored(["a", "b"])));
  outbox.close();
  outbox.discard();
  assert.equal(outbox.size, 0);
  assert.equal(await outbox.wait(), false);
  assert.equal(outbox.take(), "");
});

Deno.test("Outbox of events joins what is queued into one JSON array (S3)", () => {
  const outbox = new Outbox(10, EVENTS);
  assert.ok(outbox.offer(Batch.of('{"type":"ack","offset":1}')));
  assert.ok(outbox.offer(new Batch(stored(["a"]), ['{"type":"presence"}'])));
  assert.equal(outbox.size, 3);
  const frame = JSON.parse(outbox.take());
  assert.deepEqual(frame.map((e: { type: string }) => e.type), [
    "ack",
    "presence",
    "message",
  ]);
});

Deno.test("Outbox of plain messages takes nothing from an events-only batch", () => {
  const outbox = new Outbox(1, LINES);
  assert.ok(outbox.offer(Batch.of('{"type":"presence"}')));
  assert.equal(outbox.size, 0);
});

Deno.test("Outbox.offer() refuses a batch that would pass the bound in bytes", () => {
  const outbox = new Outbox(256, EVENTS, { maxBytes: 100 });
  const reply = (n: number) => Batch.of(JSON.stringify({ pad: "x".repeat(n) }));
  // 40 + 1 for its separator: two fit, a third would make 123.
  assert.ok(outbox.offer(reply(30)));
  assert.ok(outbox.offer(reply(30)));
  assert.equal(outbox.bytes, 82);
  assert.equal(outbox.offer(reply(30)), false);
  assert.equal(outbox.size, 2);
  assert.equal(
    outbox.take(),
    `[${reply(30).text(EVENTS)},${reply(30).text(EVENTS)}]`,
  );
  assert.equal(outbox.bytes, 0);
  // Alone, one batch larger than the bound never fits.
  assert.equal(outbox.offer(reply(200)), false);
});

Deno.test("Outbox.offer() lets a plain client fill its queue with the largest messages (K1, K2)", () => {
  const outbox = new Outbox(256, LINES, { maxBytes: 256 * 513 });
  const largest = new Batch(stored(["x".repeat(512)]));
  for (let i = 0; i < 256; i++) {
    assert.ok(outbox.offer(largest), `message ${i}`);
  }
  assert.equal(outbox.offer(largest), false);
  assert.equal(outbox.size, 256);
});
