import assert from "node:assert/strict";
import {
  BATCH_STEP,
  type Closable,
  closeInBatches,
  MIN_BATCH,
} from "./drain_batches.ts";
import { deadline } from "../test_util/natter.ts";
import { SERVICE_RESTART } from "../util/close_reasons.ts";
import type { CloseReason } from "../util/close_reasons.ts";

/** A stand-in client that records when, and with what, it was told. */
class FakeClient implements Closable {
  closing = false;
  readonly kicks: { at: number; close: CloseReason }[] = [];
  readonly #start: number;

  constructor(start: number) {
    this.#start = start;
  }

  kick(close: CloseReason): void {
    this.kicks.push({ at: performance.now() - this.#start, close });
    this.closing = true;
  }
}

function fakes(count: number): FakeClient[] {
  const start = performance.now();
  return Array.from({ length: count }, () => new FakeClient(start));
}

/**
 * The batches the clients were told in: the time of each and how many it
 * held. Kicks less than half a step apart are one batch.
 */
function batches(clients: FakeClient[]): { at: number; size: number }[] {
  const times = clients.flatMap((c) => c.kicks.map((k) => k.at))
    .sort((a, b) => a - b);
  const found: { at: number; size: number }[] = [];
  let last = -Infinity;
  for (const at of times) {
    if (at - last > BATCH_STEP / 2) found.push({ at, size: 0 });
    found[found.length - 1].size++;
    last = at;
  }
  return found;
}

Deno.test("closeInBatches() spreads 200 clients over a 1 s window, each told once", async () => {
  const clients = fakes(200);
  const window = 1000;
  await deadline(
    closeInBatches(clients, { reason: SERVICE_RESTART, window }),
    "the last batch",
    window + 5000,
  );
  for (const [i, client] of clients.entries()) {
    assert.equal(client.kicks.length, 1, `client ${i} told once`);
    assert.deepEqual(client.kicks[0].close, SERVICE_RESTART);
  }
  // 200 over ten steps is 20 a step, under the least batch: 8 batches.
  const found = batches(clients);
  const report = JSON.stringify(found);
  assert.deepEqual(found.map((b) => b.size), Array(8).fill(MIN_BATCH), report);
  assert.ok(found[0].at < BATCH_STEP, `first batch late: ${report}`);
  assert.ok(found.at(-1)!.at >= window / 2, `last batch early: ${report}`);
  // Told in the order given.
  const order = clients.map((c) => c.kicks[0].at);
  assert.deepEqual(order, order.toSorted((a, b) => a - b));
});

Deno.test("closeInBatches() sizes batches so the last goes out within the window", async () => {
  // 1,000 over 500 ms: 200 a batch, 5 batches, the last at 400 ms.
  const clients = fakes(1000);
  await deadline(
    closeInBatches(clients, { reason: SERVICE_RESTART, window: 500 }),
    "the last batch",
  );
  const found = batches(clients);
  assert.deepEqual(found.map((b) => b.size), Array(5).fill(200));
  assert.ok(found.at(-1)!.at < 500, JSON.stringify(found));
  assert.ok(clients.every((c) => c.kicks.length === 1));
});

Deno.test("closeInBatches() tells a few clients at once, before its first await", async (t) => {
  for (
    const [name, count, window] of [["3 clients", 3, 1000], [
      "window 0",
      200,
      0,
    ]] as const
  ) {
    await t.step(name, async () => {
      const clients = fakes(count);
      const done = closeInBatches(clients, { reason: SERVICE_RESTART, window });
      assert.ok(clients.every((c) => c.kicks.length === 1), "all told at once");
      await deadline(done, "closeInBatches() to settle");
    });
  }
});

Deno.test("closeInBatches() leaves a closing client alone and goes on past one that throws", async () => {
  const clients = fakes(3);
  clients[0].closing = true;
  clients[1].kick = () => {
    throw new Error("broken client");
  };
  await closeInBatches(clients, { reason: SERVICE_RESTART, window: 1000 });
  assert.equal(clients[0].kicks.length, 0, "the closing one is not told");
  assert.equal(clients[2].kicks.length, 1, "the one after the fault is told");
});

Deno.test("closeInBatches() with no clients settles at once", async () => {
  await deadline(
    closeInBatches([], { reason: SERVICE_RESTART, window: 5000 }),
    "closeInBatches() to settle",
    1000,
  );
});
