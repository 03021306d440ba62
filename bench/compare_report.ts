/**
 * The tables of `deno task bench:compare`: for each generator and scenario,
 * every server's result per round, the median and the spread (min-max), and
 * each server's ratio to Bun, both of the medians and round by round (a
 * round's servers ran minutes apart, so the per-round ratio is the one drift
 * touches least). A ramp whose first step failed shows "none" and counts in
 * the median as below every passing step.
 *
 *   deno run --allow-read bench/compare_report.ts DIR
 *
 * @module
 */

import { median } from "./rounds.ts";
import { type Step, stepCosts } from "./step_costs.ts";

/** A result's name split into its parts, or `undefined` for another file. */
export function runOf(file: string):
  | { gen: string; server: string; scenario: string; round: number }
  | undefined {
  const match =
    /^(chatbench|deno)-(natter\.v1|natter-workers2|natter-before|natter|bun|baseline)-((?:ramp|light)-\d+)-(\d+)\.json$/
      .exec(file);
  if (!match) return undefined;
  const [, gen, server, scenario, round] = match;
  return { gen, server, scenario, round: Number(round) };
}

/** The figures a run contributes, or `null` where it passed no step. */
export interface Figures {
  /** Deliveries/s: the best passing step's (ramp), or the step's (light). */
  rate: number;
  p99: number;
  cpu: number;
  frame: number;
}

type Json = Record<string, unknown>;

/** The figures of a ramp's best step, or of a broadcast. */
export function figuresOf(result: Json): Figures | null {
  if ("best" in result) {
    const best = result.best as Json | null;
    if (!best) return null;
    return {
      rate: best.deliveries_per_s as number,
      p99: best.p99_ms as number,
      cpu: (best.server_cpu_pct as number | null) ?? NaN,
      frame: best.msgs_per_frame as number,
    };
  }
  if (!("latency" in result)) return null;
  return {
    rate: result.deliveries_per_s as number,
    p99: (result.latency as Json).p99_ms as number,
    cpu: ((result.server as Json | undefined)?.cpu_pct as number) ?? NaN,
    frame: result.msgs_per_frame as number,
  };
}

const f2 = (n: number) => Number.isFinite(n) ? n.toFixed(2) : "-";
const f1 = (n: number) => Number.isFinite(n) ? n.toFixed(1) : "-";
const spread = (values: number[], f: (n: number) => string) =>
  values.length ? `${f(Math.min(...values))}-${f(Math.max(...values))}` : "-";
/** Server µs of CPU per delivery. */
const perDelivery = (f: Figures) => f.cpu / 100 / f.rate * 1e6;

/** Reads every result of `dir` and returns the Markdown tables. */
export async function report(dir: string): Promise<string> {
  // gen -> scenario -> server -> round -> figures
  const all = new Map<string, Map<string, Map<string, (Figures | null)[]>>>();
  // gen -> scenario -> server -> round -> a ramp's steps
  const steps = new Map<string, Map<string, Step[][]>>();
  for await (const entry of Deno.readDir(dir)) {
    const id = runOf(entry.name);
    if (!id) continue;
    let result: Json;
    try {
      result = JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}`));
    } catch {
      continue;
    }
    const byScenario = all.get(id.gen) ?? new Map();
    all.set(id.gen, byScenario);
    const byServer = byScenario.get(id.scenario) ?? new Map();
    byScenario.set(id.scenario, byServer);
    const rounds = byServer.get(id.server) ?? [];
    byServer.set(id.server, rounds);
    rounds[id.round - 1] = figuresOf(result);
    if (Array.isArray(result.steps)) {
      const key = `${id.gen}, ${id.scenario}`;
      const byServer = steps.get(key) ?? new Map<string, Step[][]>();
      steps.set(key, byServer);
      const ramps = byServer.get(id.server) ?? [];
      byServer.set(id.server, ramps);
      ramps[id.round - 1] = result.steps as Step[];
    }
  }
  const lines: string[] = [];
  for (const [gen, byScenario] of [...all].sort()) {
    for (const [scenario, byServer] of [...byScenario].sort()) {
      lines.push(`### ${gen}, ${scenario}`, "");
      const bun = byServer.get("bun") ?? [];
      if (scenario.startsWith("ramp")) {
        lines.push(
          "| server | best passing step per round (M deliveries/s) | median | spread | p99 at best, ms (median) | server CPU at best, % | msgs/frame at best | ratio to Bun, medians | ratio to Bun per round |",
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        );
      } else {
        lines.push(
          "| server | p99 per round, ms | p99 median (spread) | server CPU, % (median) | µs CPU per delivery (median, spread) | msgs/frame | p99 / Bun's | CPU per delivery / Bun's |",
          "| --- | --- | --- | --- | --- | --- | --- | --- |",
        );
      }
      for (const [server, rounds] of [...byServer].sort()) {
        const ran = [...rounds];
        const ok = ran.filter((f): f is Figures => f != null);
        if (scenario.startsWith("ramp")) {
          const rates = ran.map((f) => (f?.rate ?? 0) / 1e6);
          const mid = median(rates);
          const bunMid = median(bun.map((f) => (f?.rate ?? 0) / 1e6));
          const perRound = ran.map((f, i) =>
            f && bun[i] ? f2(f.rate / bun[i]!.rate) : "-"
          );
          // A round with no passing step counts as below the first step.
          const shown = rates.map((r) => r > 0 ? f2(r) : "none");
          lines.push(
            `| ${server} | ${shown.join(", ")} | **${
              mid > 0 ? f2(mid) : "none"
            }** | ${spread(rates, f2)} | ${
              f1(median(ok.map((f) => f.p99)))
            } | ${f1(median(ok.map((f) => f.cpu)))} | ${
              f1(median(ok.map((f) => f.frame)))
            } | ${mid > 0 && bunMid > 0 ? `${f2(mid / bunMid)}x` : "-"} | ${
              perRound.join(", ")
            } |`,
          );
        } else {
          const p99 = ok.map((f) => f.p99);
          const cpu = ok.map(perDelivery);
          const bunOk = bun.filter((f): f is Figures => f != null);
          lines.push(
            `| ${server} | ${p99.map(f1).join(", ")} | ${f1(median(p99))} (${
              spread(p99, f1)
            }) | ${f1(median(ok.map((f) => f.cpu)))} | ${f2(median(cpu))} (${
              spread(cpu, f2)
            }) | ${f1(median(ok.map((f) => f.frame)))} | ${
              f2(median(p99) / median(bunOk.map((f) => f.p99)))
            } | ${f2(median(cpu) / median(bunOk.map(perDelivery)))} |`,
          );
        }
      }
      lines.push("");
      const ramps = steps.get(`${gen}, ${scenario}`);
      if (ramps) {
        lines.push(`#### ${gen}, ${scenario}: what each step cost`, "");
        lines.push(...stepCosts(ramps), "");
      }
    }
  }
  return lines.join("\n");
}

if (import.meta.main) {
  if (!Deno.args[0]) {
    console.error("usage: deno run --allow-read bench/compare_report.ts DIR");
    Deno.exit(2);
  }
  console.log(await report(Deno.args[0]));
}
