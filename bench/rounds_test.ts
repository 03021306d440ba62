import assert from "node:assert/strict";
import { median, roundOf, row } from "./rounds.ts";

Deno.test("median() takes the middle value, or the mean of the middle two", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

Deno.test("roundOf() splits a result's name into scenario and round", () => {
  assert.deepEqual(roundOf("v1-rooms-1000-2.json"), {
    scenario: "v1-rooms-1000",
    round: 2,
  });
  assert.equal(roundOf("v1-100-2.log"), undefined);
  assert.equal(roundOf("machine.txt"), undefined);
});

Deno.test("row() counts a round with no passing step below the others", () => {
  const step = (rate: number) => ({
    deliveries_per_s: rate,
    p99_ms: 10,
    server_cpu_pct: 90,
    generator_cpu_pct: 100,
    msgs_per_frame: 50,
  });
  const line = row("after-100", [
    { best: step(1e6), stop_reason: "" },
    { best: null, stop_reason: "" },
    { best: step(3e6), stop_reason: "" },
  ]);
  // The round with no passing step is below the others: the median is 1.
  assert.match(line, /\| after-100 \| 1\.00, none, 3\.00 \| \*\*1\.00\*\* \|/);
  const none = row("v1", [{ best: null, stop_reason: "" }]);
  assert.match(none, /\| v1 \| none \| \*\*none\*\* \|/);
});
