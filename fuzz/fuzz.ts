/**
 * One stateful fuzz run against a live natter process: several natter.v1
 * and plain connections at once send random pipelined bursts (and two never
 * read), chosen from one seeded stream; then the run checks that the process
 * is up and healthy, that every connection got what the model says it is
 * owed, that its memory stayed bounded and that its log shows no error.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { MAIN, NatterProcess, startFlags } from "../test_util/process.ts";
import { Clients } from "./clients.ts";
import { healthz, logProblems, RssWatch, untilReady } from "./health.ts";
import { checkConnection } from "./model.ts";
import type { ConnectionRecord } from "./record.ts";
import { seeded } from "./random.ts";
import { summarize } from "./summary.ts";

/** Where `deno task start` runs: the repository. */
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Options for {@linkcode runFuzz}. */
export interface FuzzOptions {
  /** The seed of every random choice of the run. */
  seed: number;
  /**
   * How long the clients send, in milliseconds.
   * @default {10000}
   */
  durationMs?: number;
  /**
   * The most steps (bursts, reconnects) the clients take.
   * @default {40 per second of durationMs}
   */
  maxSteps?: number;
  /** A Redis URL: natter runs with `--redis` on it. */
  redis?: string;
  /**
   * The most resident memory natter may use, in MiB. natter idles near
   * 60 MiB; a run creates a few hundred rooms at most with a few thousand
   * messages in all (well under 20 MiB of history at 4 bytes a character
   * plus 256 a message), and each of its eight connections may queue 1 MiB
   * (2 MiB of UTF-16) before it is closed. 300 MiB is over twice all of
   * that: only a leak or an unbounded queue gets there.
   * @default {300}
   */
  rssLimitMiB?: number;
}

/** What a run found. */
export interface FuzzReport {
  seed: number;
  steps: number;
  /** One line per problem; empty when natter kept its word. */
  problems: string[];
  /** Every step, in order: the command sequence to replay by hand. */
  trace: string[];
  peakRssMiB: number;
  /** How many of each answer and close the clients saw. */
  summary: Record<string, number>;
}

/** Runs natter, fuzzes it for `durationMs`, stops it, and reports. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const durationMs = options.durationMs ?? 10_000;
  const maxSteps = options.maxSteps ?? Math.ceil(durationMs / 25);
  const args = ["run", ...startFlags(), MAIN, "--log-format", "json"];
  if (options.redis) args.push("--redis", options.redis);
  await using natter = await NatterProcess.start(Deno.execPath(), args, {
    cwd: ROOT,
  });
  let exited = false;
  natter.child.status.then(() => exited = true);
  if (options.redis) await untilReady(natter.url);
  const rss = new RssWatch(natter.child.pid);
  const clients = new Clients(Number(natter.url.port), seeded(options.seed));
  let steps = 0;
  let records: ConnectionRecord[];
  try {
    await clients.start();
    const end = Date.now() + durationMs;
    for (; steps < maxSteps && Date.now() < end && !exited; steps++) {
      await clients.step(steps);
    }
    clients.trace.push(`stop after ${steps} steps`);
    await clients.settle();
  } finally {
    records = await clients.close();
    rss.stop();
  }
  const problems = [...clients.problems];
  const redis = options.redis !== undefined;
  for (const record of records) {
    problems.push(...checkConnection(record, { redis }));
  }
  if (exited) {
    problems.push(
      `natter exited: ${JSON.stringify(await natter.child.status)}`,
    );
  } else {
    const status = await healthz(natter.url);
    if (status !== 200) {
      problems.push(`GET /healthz answered ${status}, not 200`);
    }
  }
  const limit = options.rssLimitMiB ?? 300;
  if (rss.peak > limit) {
    problems.push(
      `natter's RSS reached ${rss.peak.toFixed(0)} MiB, over ${limit} MiB`,
    );
  }
  if (rss.samples === 0) problems.push("natter's RSS was never sampled");
  await natter[Symbol.asyncDispose]();
  problems.push(...logProblems(natter.stderr.lines));
  return {
    seed: options.seed,
    steps,
    problems,
    trace: clients.trace,
    peakRssMiB: rss.peak,
    summary: summarize(records, natter.stderr.lines),
  };
}
