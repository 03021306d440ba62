/**
 * The stateful fuzzer in CI: a fixed seed, ten seconds of random clients
 * against a live natter, in the default configuration and with `--redis`.
 * `deno task fuzz` runs it longer from random seeds.
 */

import assert from "node:assert/strict";
import { RedisServer, redisTest } from "../test_util/redis.ts";
import { type FuzzReport, runFuzz } from "./fuzz.ts";

/** The seed CI runs; a failure names the seed that replays it. */
const SEED = 20_250_611;
const DURATION_MS = 10_000;

function assertClean(report: FuzzReport): void {
  assert.ok(report.steps > 50, `only ${report.steps} steps ran`);
  assert.deepEqual(
    report.problems,
    [],
    `seed ${report.seed}: ${report.problems.length} problems; last steps:\n${
      report.trace.slice(-40).join("\n")
    }`,
  );
}

Deno.test("runFuzz() finds natter up, answering and bounded after random clients", async () => {
  assertClean(await runFuzz({ seed: SEED, durationMs: DURATION_MS }));
});

Deno.test({
  name: "runFuzz() finds natter up, answering and bounded with --redis",
  ...redisTest,
  fn: async () => {
    await using redis = await RedisServer.start();
    assertClean(
      await runFuzz({ seed: SEED, durationMs: DURATION_MS, redis: redis.url }),
    );
  },
});
