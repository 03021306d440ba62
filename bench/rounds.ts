/**
 * Medians and spreads over rounds: reads a directory of ramps named
 * `SCENARIO-ROUND.json` (as `bench/rooms_suite.sh` writes them) and prints,
 * per scenario, each round's best passing step and the median of the rounds,
 * as the Markdown table of docs/benchmarks.md.
 *
 *   deno run --allow-read bench/rounds.ts RESULTS_DIR
 *
 * @module
 */

/** The fields of a ramp's step that the table shows. */
export interface RampStep {
  deliveries_per_s: number;
  p99_ms: number;
  server_cpu_pct: number | null;
  generator_cpu_pct: number;
  msgs_per_frame: number;
}

/** One round's ramp: its best passing step, if any, and why it stopped. */
export interface Ramp {
  best: RampStep | null;
  stop_reason: string;
  /** Every step, the first being the same offered load in every round. */
  steps?: (RampStep & { offered_msgs_per_s: number })[];
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `SCENARIO-ROUND.json` split into its scenario and round, or `undefined`. */
export function roundOf(
  file: string,
): { scenario: string; round: number } | undefined {
  const match = /^(.+)-(\d+)\.json$/.exec(file);
  return match ? { scenario: match[1], round: Number(match[2]) } : undefined;
}

const m = (n: number) => (n / 1e6).toFixed(2);
const f1 = (n: number | null) =>
  n === null || Number.isNaN(n) ? "-" : n.toFixed(1);

const spread = (values: number[], f: (n: number) => string) =>
  values.length ? `${f(Math.min(...values))}-${f(Math.max(...values))}` : "";

/**
 * The table's line for one scenario's rounds, in round order. A round with
 * no passing step counts in the median as below the first step ("none").
 */
export function row(scenario: string, ramps: readonly Ramp[]): string {
  const bests = ramps.map((r) => r.best);
  const passed = bests.filter((b): b is RampStep => b !== null);
  const rates = bests.map((b) => (b ? m(b.deliveries_per_s) : "none"));
  const of = (key: keyof RampStep) =>
    passed.map((b) => b[key]).filter((v): v is number => v !== null);
  const mid = median(bests.map((b) => b?.deliveries_per_s ?? 0));
  const p99 = of("p99_ms");
  const cpu = of("server_cpu_pct");
  return `| ${scenario} | ${rates.join(", ")} | **${
    mid > 0 ? m(mid) : "none"
  }** | ${f1(median(p99))} (${spread(p99, f1)}) | ${f1(median(cpu))} (${
    spread(cpu, f1)
  }) |`;
}

/**
 * The line for one scenario's first steps, the same offered load in every
 * round: medians (and spreads) of p99, server CPU, and server CPU per
 * delivery and per frame written, in µs.
 */
export function firstStepRow(scenario: string, ramps: readonly Ramp[]): string {
  const firsts = ramps.flatMap((r) => r.steps?.slice(0, 1) ?? []);
  const cpu = (s: RampStep) => (s.server_cpu_pct ?? NaN) / 100;
  const perDelivery = firsts.map((s) => cpu(s) / s.deliveries_per_s * 1e6);
  const perFrame = firsts.map((s) =>
    cpu(s) / (s.deliveries_per_s / s.msgs_per_frame) * 1e6
  );
  const col = (values: number[]) =>
    `${f1(median(values))} (${spread(values, f1)})`;
  const offered = firsts[0]?.offered_msgs_per_s ?? 0;
  return `| ${scenario} | ${offered} | ${
    m(median(firsts.map((s) => s.deliveries_per_s)))
  } | ${col(firsts.map((s) => s.p99_ms))} | ${
    col(firsts.map((s) => s.server_cpu_pct ?? NaN))
  } | ${col(perDelivery)} | ${col(perFrame)} | ${
    col(firsts.map((s) => s.msgs_per_frame))
  } |`;
}

if (import.meta.main) {
  const dir = Deno.args[0];
  if (!dir) {
    console.error("usage: deno run --allow-read bench/rounds.ts RESULTS_DIR");
    Deno.exit(2);
  }
  const groups = new Map<string, Map<number, Ramp>>();
  for await (const entry of Deno.readDir(dir)) {
    const id = roundOf(entry.name);
    if (!id) continue;
    const ramp = JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}`));
    if (!("best" in ramp)) continue;
    const rounds = groups.get(id.scenario) ?? new Map();
    rounds.set(id.round, ramp);
    groups.set(id.scenario, rounds);
  }
  const scenarios = [...groups.keys()].sort();
  const ordered = (scenario: string) =>
    [...groups.get(scenario)!].sort((a, b) => a[0] - b[0]).map((r) => r[1]);
  console.log(
    "| scenario | best passing step per round (M deliveries/s) | median | p99 at best, ms | server CPU at best, % |",
  );
  console.log("| --- | --- | --- | --- | --- |");
  for (const scenario of scenarios) {
    console.log(row(scenario, ordered(scenario)));
  }
  console.log(
    "\n| scenario | offered msgs/s | M deliveries/s | p99, ms | server CPU, % | server µs/delivery | server µs/frame | msgs/frame |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const scenario of scenarios) {
    console.log(firstStepRow(scenario, ordered(scenario)));
  }
  console.log("\nWhy each ramp stopped:\n");
  for (const scenario of scenarios) {
    ordered(scenario).forEach((ramp, i) => {
      console.log(`- ${scenario}-${i + 1}: ${ramp.stop_reason}`);
    });
  }
}
