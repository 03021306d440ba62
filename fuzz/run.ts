/**
 * `deno task fuzz`: the stateful fuzzer for longer than CI runs it, in
 * rounds of a fresh natter each, from a random seed printed at the start.
 *
 * ```sh
 * deno task fuzz --minutes 30            # 30 one-minute rounds
 * deno task fuzz --minutes 30 --redis    # each round on a redis-server of its own
 * deno task fuzz --seed 1234 --round 60 --minutes 1   # replay one round
 * ```
 *
 * On a failure it prints the round's seed, what failed and the command
 * sequence, and exits 1.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { RedisServer } from "../test_util/redis.ts";
import { type FuzzReport, runFuzz } from "./fuzz.ts";
import { randomSeed } from "./random.ts";

/** The options of `deno task fuzz`, parsed. */
export interface FuzzFlags {
  /** Minutes to fuzz in all. */
  minutes: number;
  /** Seconds a round lasts. */
  round: number;
  /** The first round's seed; each next round's is one more. */
  seed: number;
  /** Whether natter runs with `--redis`. */
  redis: boolean;
}

/** Parses the flags of `deno task fuzz`. */
export function parseFuzzFlags(args: string[]): FuzzFlags {
  const { values } = parseArgs({
    args,
    options: {
      minutes: { type: "string", default: "5" },
      round: { type: "string", default: "60" },
      seed: { type: "string" },
      redis: { type: "boolean", default: false },
    },
  });
  const number = (name: string, text: string, min: number) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) {
      throw new RangeError(
        `Cannot parse "--${name}": "${text}" is not a number of at least ${min}`,
      );
    }
    return value;
  };
  return {
    minutes: number("minutes", values.minutes, 0.05),
    round: number("round", values.round, 3),
    seed: values.seed === undefined
      ? randomSeed()
      : number("seed", values.seed, 0) >>> 0,
    redis: values.redis,
  };
}

/** Prints what a failed round found, and how to replay it. */
function printFailure(report: FuzzReport, flags: FuzzFlags, seconds: number) {
  const redis = flags.redis ? " --redis" : "";
  console.log(`fuzz: seed ${report.seed} FAILED after ${report.steps} steps:`);
  for (const problem of report.problems.slice(0, 60)) {
    console.log(`  ${problem}`);
  }
  if (report.problems.length > 60) {
    console.log(`  ... and ${report.problems.length - 60} more`);
  }
  console.log("fuzz: the command sequence (last 80 steps):");
  for (const line of report.trace.slice(-80)) console.log(`  ${line}`);
  console.log(
    `fuzz: replay with: deno task fuzz --seed ${report.seed} --round ${seconds} --minutes ${
      seconds / 60
    }${redis}`,
  );
}

async function main(): Promise<number> {
  const flags = parseFuzzFlags(Deno.args);
  console.log(
    `fuzz: seed ${flags.seed}, ${flags.minutes} min in rounds of ${flags.round} s${
      flags.redis ? ", with --redis" : ""
    }`,
  );
  const end = Date.now() + flags.minutes * 60_000;
  // Bounded in count as in time: one round a round-length at most.
  const rounds = Math.ceil(flags.minutes * 60 / flags.round);
  for (let i = 0; i < rounds && Date.now() < end; i++) {
    const seed = (flags.seed + i) >>> 0;
    const seconds = Math.min(flags.round, Math.ceil((end - Date.now()) / 1000));
    await using redis = flags.redis ? await RedisServer.start() : undefined;
    const report = await runFuzz({
      seed,
      durationMs: seconds * 1000,
      redis: redis?.url,
    });
    if (report.problems.length > 0) {
      const file = await Deno.makeTempFile({ prefix: `natter_fuzz_${seed}_` });
      await Deno.writeTextFile(file, report.trace.join("\n") + "\n");
      printFailure(report, flags, seconds);
      console.log(`fuzz: the whole sequence is in ${file}`);
      return 1;
    }
    console.log(
      `fuzz: round ${i + 1} seed ${seed}: ${report.steps} steps, peak RSS ${
        report.peakRssMiB.toFixed(0)
      } MiB, ${JSON.stringify(report.summary)}`,
    );
  }
  console.log("fuzz: no problem found");
  return 0;
}

if (import.meta.main) Deno.exit(await main());
