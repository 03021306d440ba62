import assert from "node:assert/strict";
import { plot, toSeries } from "./plot.ts";

const step = (offered: number, p99: number, pass: boolean) => ({
  offered_msgs_per_s: offered,
  deliveries_per_s: offered * 100,
  p99_ms: p99,
  pass,
});

Deno.test("plot() draws each series in both panels and marks failed steps", () => {
  const svg = plot([
    toSeries("natter", { steps: [step(100, 2, true), step(150, 3, true)] }),
    toSeries("base<line>", {
      steps: [step(100, 5, true), step(150, 400, false)],
    }),
  ], "Ramp & co");
  assert.match(svg, /^<svg /);
  // One path per panel per series.
  assert.equal(svg.match(/<path /g)?.length, 4);
  // Names and title are escaped, never markup.
  assert.ok(svg.includes("base&#60;line&#62;"));
  assert.ok(svg.includes("Ramp &#38; co"));
  // The failed step is hollow in both panels, plus the legend's example.
  assert.equal(svg.match(/fill="#fff" stroke="#d1242f"/g)?.length, 2);
});
