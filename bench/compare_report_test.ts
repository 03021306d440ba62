import assert from "node:assert/strict";
import { figuresOf, runOf } from "./compare_report.ts";

Deno.test("runOf() splits a result's name into generator, server, scenario and round", () => {
  assert.deepEqual(runOf("chatbench-natter-before-ramp-1000-2.json"), {
    gen: "chatbench",
    server: "natter-before",
    scenario: "ramp-1000",
    round: 2,
  });
  assert.equal(runOf("deno-natter.v1-ramp-100-1.json")?.server, "natter.v1");
  assert.equal(runOf("chatbench-bun-ramp-100-1.log"), undefined);
  assert.equal(runOf("machine.txt"), undefined);
});

Deno.test("figuresOf() reads a ramp's best step and a broadcast alike", () => {
  const step = {
    deliveries_per_s: 2e6,
    p99_ms: 40,
    server_cpu_pct: 90,
    msgs_per_frame: 30,
  };
  assert.deepEqual(figuresOf({ best: step }), {
    rate: 2e6,
    p99: 40,
    cpu: 90,
    frame: 30,
  });
  assert.equal(figuresOf({ best: null }), null);
  assert.deepEqual(
    figuresOf({
      deliveries_per_s: 1e5,
      latency: { p99_ms: 4 },
      server: { cpu_pct: 25 },
      msgs_per_frame: 1,
    }),
    { rate: 1e5, p99: 4, cpu: 25, frame: 1 },
  );
});
