import assert from "node:assert/strict";
import { Pacer, SHARE } from "./pacer.ts";
import { FrameCost } from "../util/frame_cost.ts";

/** A pacer whose frames cost `perFrame` ms, and a way to send them. */
function paced(perFrame: number, budget = 2, latency = 40, maxBatch = 256) {
  const clock = { now: 0, cpu: 0 };
  const frames = new FrameCost(() => clock.cpu, () => clock.now);
  // Teach the meter what a frame costs.
  for (let i = 0; i < 1000; i++) frames.sent();
  clock.now = 1000;
  clock.cpu = perFrame * 1000 * 1000;
  assert.equal(frames.perFrame, perFrame);
  const pacer = new Pacer({ budget, latency, frames, maxBatch });
  const turn = (sent: number, messages = 1, now = performance.now()) => {
    pacer.sending(messages, now);
    for (let i = 0; i < sent; i++) frames.sent();
  };
  return { pacer, turn };
}

Deno.test("Pacer: a room whose turns are cheap never waits", () => {
  const { pacer, turn } = paced(0.012);
  turn(100); // 1.2 ms of frames, under the 2 ms budget
  assert.equal(pacer.wait(), 0);
});

Deno.test("Pacer: a room whose turns are dear spaces them by their cost", () => {
  const { pacer, turn } = paced(0.002);
  turn(2000); // 4 ms of frames: the next turn 12 ms after this one began
  const wait = pacer.wait();
  assert.ok(
    wait > 4 / SHARE - 5 && wait <= 4 / SHARE,
    `waits about three turns' cost, not ${wait} ms`,
  );
});

Deno.test("Pacer: no message waits past the latency budget, its turn included", () => {
  const { pacer, turn } = paced(0.012);
  turn(1000); // 12 ms of frames: spaced 36 ms by cost, 28 by the budget
  const wait = pacer.wait();
  assert.ok(wait <= 40 - 12, `waits ${wait} ms, past the budget`);
  assert.ok(wait > 20, `waits ${wait} ms: a dear room must wait`);
  turn(5000); // 60 ms of frames: the budget is spent already
  assert.ok(pacer.wait() <= 0);
});

Deno.test("Pacer: after a quiet spell the next turn goes out at once", () => {
  const { pacer, turn } = paced(0.012);
  turn(1000);
  assert.ok(pacer.wait(performance.now() + 100) <= 0);
});

Deno.test("Pacer: a budget or latency of 0 turns pacing off", () => {
  for (const [budget, latency] of [[0, 40], [2, 0]]) {
    const { pacer, turn } = paced(0.012, budget, latency);
    turn(1000);
    assert.equal(pacer.wait(), 0);
  }
});

Deno.test("Pacer.rest() waits what wait() says", async () => {
  const { pacer, turn } = paced(0.012);
  turn(1000);
  const from = performance.now();
  await pacer.rest();
  const waited = performance.now() - from;
  assert.ok(waited >= 15, `rested ${waited} ms after a 12 ms turn`);
  turn(10);
  const again = performance.now();
  await pacer.rest();
  assert.ok(performance.now() - again < 15, "a cheap turn does not rest");
});

Deno.test("Pacer: the wait never gathers more than half a batch at the rate messages came", () => {
  const { pacer, turn } = paced(0.012);
  const start = performance.now();
  turn(1000, 1, start - 1000);
  // 200 messages in the 10 ms since the last turn: 128 gather in 6.4 ms,
  // where the cost alone would have spaced the turns 28 ms.
  turn(1000, 200, start - 990);
  const wait = pacer.wait(start - 990);
  assert.ok(wait > 5 && wait <= 6.4, `waits ${wait} ms for 128 messages`);
});
