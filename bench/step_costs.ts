/**
 * What each step of a ramp cost each server, over the rounds: at every
 * offered rate, the server's CPU per delivery and per frame, how full its
 * frames were, and how busy the server and the generator were. The best
 * step says how far a server went; these say what it spent on the way, and
 * they are steadier than the best step from round to round.
 *
 * @module
 */

import { median } from "./rounds.ts";

/** One step of a ramp, as the generator wrote it. */
export interface Step {
  offered_msgs_per_s: number;
  deliveries_per_s: number;
  p99_ms: number;
  msgs_per_frame: number;
  server_cpu_pct?: number | null;
  generator_cpu_pct?: number;
  pass?: boolean;
}

/** Server µs of CPU per delivery at a step. */
export function perDelivery(step: Step): number {
  return (step.server_cpu_pct ?? NaN) / 100 / step.deliveries_per_s * 1e6;
}

/** Server µs of CPU per frame at a step: per delivery times frame size. */
export function perFrame(step: Step): number {
  return perDelivery(step) * step.msgs_per_frame;
}

const f2 = (n: number) => Number.isFinite(n) ? n.toFixed(2) : "-";
const f1 = (n: number) => Number.isFinite(n) ? n.toFixed(1) : "-";
const mid = (values: number[], f: (n: number) => string) => {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return "-";
  const low = f(Math.min(...finite)), high = f(Math.max(...finite));
  return `${f(median(finite))} (${low}-${high})`;
};

/**
 * The Markdown table of one ramp scenario's steps: a row per server and
 * offered rate, with medians (and spreads) over the rounds that ran it.
 *
 * @example
 * ```ts
 * const step = {
 *   offered_msgs_per_s: 430,
 *   deliveries_per_s: 430_000,
 *   p99_ms: 30,
 *   msgs_per_frame: 10,
 *   server_cpu_pct: 43,
 * };
 * stepCosts(new Map([["natter", [[step], [step]]]]));
 * ```
 */
export function stepCosts(byServer: Map<string, Step[][]>): string[] {
  const lines = [
    "| server | offered msgs/s | rounds (passed) | M deliveries/s | p99, ms | server CPU, % | generator CPU, % | server µs/delivery | server µs/frame | msgs/frame |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const [server, rounds] of [...byServer].sort()) {
    const byRate = new Map<number, Step[]>();
    for (const steps of rounds) {
      for (const step of steps ?? []) {
        const at = byRate.get(step.offered_msgs_per_s) ?? [];
        byRate.set(step.offered_msgs_per_s, at);
        at.push(step);
      }
    }
    for (const [rate, steps] of [...byRate].sort((a, b) => a[0] - b[0])) {
      const passed = steps.filter((s) => s.pass !== false).length;
      const of = (pick: (s: Step) => number, f: (n: number) => string) =>
        mid(steps.map(pick), f);
      lines.push(
        `| ${server} | ${rate} | ${steps.length} (${passed}) | ${
          of((s) => s.deliveries_per_s / 1e6, f2)
        } | ${of((s) => s.p99_ms, f1)} | ${
          of((s) => s.server_cpu_pct ?? NaN, f1)
        } | ${of((s) => s.generator_cpu_pct ?? NaN, f1)} | ${
          of(perDelivery, f2)
        } | ${of(perFrame, f1)} | ${of((s) => s.msgs_per_frame, f1)} |`,
      );
    }
  }
  return lines;
}
