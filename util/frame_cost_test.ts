import assert from "node:assert/strict";
import { FIRST_GUESS, FrameCost } from "./frame_cost.ts";

/** A meter on a clock and CPU time the test moves. */
function meter() {
  const clock = { now: 0, cpu: 0 };
  const cost = new FrameCost(() => clock.cpu, () => clock.now);
  const send = (frames: number) => {
    for (let i = 0; i < frames; i++) cost.sent();
  };
  return { clock, cost, send };
}

Deno.test("FrameCost starts from its first guess", () => {
  assert.equal(new FrameCost().perFrame, FIRST_GUESS);
});

Deno.test("FrameCost divides the CPU time of a stretch by its frames", () => {
  const { clock, cost, send } = meter();
  send(1000);
  clock.now = 250;
  clock.cpu = 30_000; // µs: 30 µs a frame
  assert.equal(cost.perFrame, 0.03);
  assert.equal(cost.frames, 1000);
  // The next stretch costs less a frame.
  send(2000);
  clock.now = 500;
  clock.cpu = 50_000;
  assert.equal(cost.perFrame, 0.01);
});

Deno.test("FrameCost keeps its figure over a stretch too short to tell", () => {
  const { clock, cost, send } = meter();
  send(1000);
  clock.now = 250;
  clock.cpu = 20_000;
  assert.equal(cost.perFrame, 0.02);
  send(1000);
  clock.now = 300;
  clock.cpu = 900_000;
  assert.equal(cost.perFrame, 0.02);
});

Deno.test("FrameCost does not charge a quiet stretch's CPU to its few frames", () => {
  const { clock, cost, send } = meter();
  send(1000);
  clock.now = 250;
  clock.cpu = 20_000;
  assert.equal(cost.perFrame, 0.02);
  send(3);
  clock.now = 600;
  clock.cpu = 2_000_000;
  assert.equal(cost.perFrame, 0.02);
});

Deno.test("FrameCost keeps a measured figure within bounds", () => {
  const { clock, cost, send } = meter();
  send(1000);
  clock.now = 250;
  clock.cpu = 10_000_000; // 10 ms a frame: a stall, not a frame's cost
  assert.equal(cost.perFrame, 0.2);
});
