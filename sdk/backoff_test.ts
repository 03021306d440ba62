import assert from "node:assert/strict";
import { backoffDelay, INITIAL_DELAY_MS, MAX_DELAY_MS } from "./backoff.ts";

Deno.test("backoffDelay() waits between half the ceiling and the ceiling", () => {
  assert.equal(backoffDelay(0, {}, () => 0), INITIAL_DELAY_MS / 2);
  assert.equal(backoffDelay(0, {}, () => 1), INITIAL_DELAY_MS);
  assert.equal(backoffDelay(3, { initial: 100 }, () => 0), 400);
  assert.equal(backoffDelay(3, { initial: 100 }, () => 1), 800);
});

Deno.test("backoffDelay() doubles the ceiling up to max, and never past it", () => {
  const ceilings = Array.from(
    { length: 8 },
    (_, attempt) => backoffDelay(attempt, { initial: 100, max: 1000 }, () => 1),
  );
  assert.deepEqual(ceilings, [100, 200, 400, 800, 1000, 1000, 1000, 1000]);
  assert.equal(backoffDelay(5000, {}, () => 1), MAX_DELAY_MS);
  assert.equal(backoffDelay(-3, { initial: 100 }, () => 1), 100);
});

Deno.test("backoffDelay() spreads clients out: the same attempt, different waits", () => {
  const waits = new Set(
    Array.from({ length: 50 }, () => backoffDelay(4, { initial: 100 })),
  );
  assert.ok(waits.size > 10, `only ${waits.size} different waits`);
  for (const wait of waits) assert.ok(wait >= 800 && wait <= 1600, `${wait}`);
});

Deno.test("backoffDelay() refuses a wait that is not a number of milliseconds", () => {
  assert.throws(() => backoffDelay(0, { initial: -1 }), RangeError);
  assert.throws(() => backoffDelay(0, { max: NaN }), RangeError);
});
