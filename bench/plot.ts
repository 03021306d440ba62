/**
 * Draws the ramp results of several servers as one SVG: deliveries/s per
 * step (log scale) above, p99 latency per step below. Reads chatbench's or
 * `deno task bench ramp`'s JSON, which share their keys.
 *
 *   deno task bench:plot            docs/benchmarks.md's two plots, from bench/results/
 *   deno task bench:plot [--out docs/bench-ramp.svg] NAME=ramp.json ...
 *
 * @module
 */

import { parseArgs } from "node:util";

/** One server's ramp, as the plot needs it. */
export interface Series {
  name: string;
  steps: { offered: number; deliveries: number; p99: number; pass: boolean }[];
}

const COLORS = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df"];
const W = 820, H = 560, LEFT = 80, RIGHT = 220, TOP = 40, PANEL = 200, GAP = 70;

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Formats an axis value: 1.5M, 20k, 300. */
function si(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return `${+n.toFixed(1)}`;
}

/** Renders `series` as an SVG document. */
export function plot(series: Series[], title: string): string {
  const all = series.flatMap((s) => s.steps);
  const xs = all.map((s) => s.offered);
  const lx = (v: number) => Math.log10(v);
  const [x0, x1] = [
    Math.floor(lx(Math.min(...xs))),
    Math.ceil(lx(Math.max(...xs))),
  ];
  const plotW = W - LEFT - RIGHT;
  const x = (v: number) => LEFT + ((lx(v) - x0) / (x1 - x0 || 1)) * plotW;
  const ds = all.map((s) => Math.max(1, s.deliveries));
  const [d0, d1] = [
    Math.floor(lx(Math.min(...ds))),
    Math.ceil(lx(Math.max(...ds))),
  ];
  const yd = (v: number) =>
    TOP + PANEL - ((lx(Math.max(1, v)) - d0) / (d1 - d0 || 1)) * PANEL;
  const pTop = TOP + PANEL + GAP;
  const pMax = Math.max(100, ...all.map((s) => s.p99));
  const ps = [0.1, 1, 10, 100, 1000, 10000].filter((v) => v <= pMax * 1.01);
  const [p0, p1] = [-1, Math.ceil(lx(pMax))];
  const yp = (v: number) =>
    pTop + PANEL - ((lx(Math.max(0.1, v)) - p0) / (p1 - p0)) * PANEL;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${LEFT}" y="22" font-size="15" font-weight="bold">${
      esc(title)
    }</text>`,
  ];
  const grid = (y: number, label: string) =>
    out.push(
      `<line x1="${LEFT}" x2="${
        LEFT + plotW
      }" y1="${y}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${LEFT - 6}" y="${y + 4}" text-anchor="end">${label}</text>`,
    );
  for (let e = d0; e <= d1; e++) grid(yd(10 ** e), si(10 ** e));
  for (const v of ps) grid(yp(v), `${v} ms`);
  out.push(
    `<line x1="${LEFT}" x2="${LEFT + plotW}" y1="${yp(100)}" y2="${
      yp(100)
    }" stroke="#d1242f" stroke-dasharray="4 3"/>`,
    `<text x="${LEFT + 4}" y="${
      yp(100) - 4
    }" fill="#d1242f">p99 limit of a passing step</text>`,
  );
  for (let e = x0; e <= x1; e++) {
    for (const top of [TOP, pTop]) {
      out.push(
        `<line x1="${x(10 ** e)}" x2="${x(10 ** e)}" y1="${top}" y2="${
          top + PANEL
        }" stroke="#eee"/>`,
      );
    }
    out.push(
      `<text x="${x(10 ** e)}" y="${pTop + PANEL + 16}" text-anchor="middle">${
        si(10 ** e)
      }</text>`,
    );
  }
  out.push(
    `<text x="${LEFT + plotW / 2}" y="${
      pTop + PANEL + 36
    }" text-anchor="middle">messages/s offered (5 senders, ×1.5 per 5 s step)</text>`,
    `<text transform="translate(18 ${
      TOP + PANEL / 2
    }) rotate(-90)" text-anchor="middle">deliveries/s</text>`,
    `<text transform="translate(18 ${
      pTop + PANEL / 2
    }) rotate(-90)" text-anchor="middle">p99 latency</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const line = (y: (st: Series["steps"][number]) => number) =>
      s.steps.map((st, k) =>
        `${k ? "L" : "M"}${x(st.offered).toFixed(1)},${y(st).toFixed(1)}`
      ).join(" ");
    out.push(
      `<path d="${
        line((st) => yd(st.deliveries))
      }" fill="none" stroke="${color}" stroke-width="2"/>`,
      `<path d="${
        line((st) => yp(st.p99))
      }" fill="none" stroke="${color}" stroke-width="2"/>`,
    );
    for (const st of s.steps) {
      for (const y of [yd(st.deliveries), yp(st.p99)]) {
        out.push(
          `<circle cx="${x(st.offered).toFixed(1)}" cy="${
            y.toFixed(1)
          }" r="3.5" fill="${
            st.pass ? color : "#fff"
          }" stroke="${color}" stroke-width="1.5"/>`,
        );
      }
    }
    const ly = TOP + 10 + i * 20;
    out.push(
      `<line x1="${W - RIGHT + 14}" x2="${
        W - RIGHT + 34
      }" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${W - RIGHT + 40}" y="${ly + 4}">${esc(s.name)}</text>`,
    );
  });
  const ly = TOP + 10 + series.length * 20 + 6;
  out.push(
    `<circle cx="${
      W - RIGHT + 24
    }" cy="${ly}" r="3.5" fill="#fff" stroke="#555"/>`,
    `<text x="${W - RIGHT + 40}" y="${ly + 4}">failed step</text>`,
    "</svg>",
  );
  return out.join("\n") + "\n";
}

/** Reads a ramp JSON file (chatbench's or ours) into a series. */
export function toSeries(
  name: string,
  json: { steps: Record<string, number | boolean>[] },
): Series {
  return {
    name,
    steps: json.steps.map((s) => ({
      offered: s.offered_msgs_per_s as number,
      deliveries: s.deliveries_per_s as number,
      p99: s.p99_ms as number,
      pass: s.pass as boolean,
    })),
  };
}

/** The ramps docs/benchmarks.md shows, as `bench/suite.sh` names them. */
const DOCUMENTED = [
  ["natter", "chatbench", "natter"],
  ["baseline", "chatbench", "baseline"],
  ["natter, 2 workers", "chatbench", "natter-workers"],
  ["natter (deno task bench)", "deno", "natter"],
  ["baseline (deno task bench)", "deno", "baseline"],
];

/** Reads `file` into a series, or `undefined` when it is missing. */
function read(name: string, file: string): Series | undefined {
  let text;
  try {
    text = Deno.readTextFileSync(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  return toSeries(name, JSON.parse(text));
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      out: { type: "string", default: "docs/bench-ramp.svg" },
      title: { type: "string", default: "Fan-out ramp" },
      results: { type: "string", default: "bench/results" },
    },
  });
  if (positionals.length === 0) {
    // docs/benchmarks.md's plots, from the results checked in under --results.
    for (const clients of [100, 1000]) {
      const series = DOCUMENTED.map(([name, generator, server]) =>
        read(
          name,
          `${values.results}/${generator}/${server}-ramp-${clients}.json`,
        )
      ).filter((s): s is Series => s !== undefined);
      if (series.length === 0) {
        console.error(`plot: Cannot find any ramp in ${values.results}`);
        Deno.exit(1);
      }
      const out = `docs/bench-ramp-${clients}.svg`;
      const title = `Fan-out ramp, ${clients} clients, 5 senders`;
      Deno.writeTextFileSync(out, plot(series, title));
      console.error(`plot: wrote ${out}`);
    }
    Deno.exit(0);
  }
  const series = positionals.map((arg) => {
    const at = arg.indexOf("=");
    if (at < 1) {
      console.error(`plot: Cannot read "${arg}": expected NAME=FILE`);
      Deno.exit(2);
    }
    const file = arg.slice(at + 1);
    const one = read(arg.slice(0, at), file);
    if (!one) {
      console.error(`plot: Cannot read "${file}": no such file`);
      Deno.exit(2);
    }
    return one;
  });
  Deno.writeTextFileSync(values.out!, plot(series, values.title!));
  console.error(`plot: wrote ${values.out}`);
}
