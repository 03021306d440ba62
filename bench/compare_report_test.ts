import assert from "node:assert/strict";
import { figuresOf, report, runOf } from "./compare_report.ts";

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

Deno.test("report() gives each ramp step's server CPU per delivery and per frame", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const step = (offered: number, cpu: number) => ({
      offered_msgs_per_s: offered,
      deliveries_per_s: offered * 1000,
      p99_ms: 20,
      msgs_per_frame: 10,
      server_cpu_pct: cpu,
      generator_cpu_pct: 50,
      pass: true,
    });
    for (const round of [1, 2, 3]) {
      const steps = [step(430, 40 + round), step(645, 60)];
      await Deno.writeTextFile(
        `${dir}/chatbench-natter-ramp-1000-${round}.json`,
        JSON.stringify({ best: steps[1], steps }),
      );
    }
    const text = await report(dir);
    // 42% of a core for 430,000 deliveries/s: 0.98 µs each, 9.8 µs a frame.
    assert.match(
      text,
      /\| natter \| 430 \| 3 \(3\) \| 0\.43 .*\| 0\.98 \(0\.95-1\.00\) \| 9\.8 \(9\.5-10\.0\) \| 10\.0 /,
    );
    assert.match(text, /\| natter \| 645 \| 3 \(3\) /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
