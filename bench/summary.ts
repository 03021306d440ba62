/**
 * Summarises a directory of chatbench (or `deno task bench`) JSON results,
 * as written by `bench/suite.sh`, into the Markdown tables of
 * docs/benchmarks.md.
 *
 *   deno run --allow-read bench/summary.ts RESULTS_DIR
 *
 * @module
 */

interface Step {
  offered_msgs_per_s: number;
  deliveries_per_s: number;
  delivery_ratio: number;
  p99_ms: number;
  msgs_per_frame: number;
  server_cpu_pct: number;
  generator_cpu_pct: number;
  pass: boolean;
}

type Json = Record<string, unknown>;

/** Reads `dir/name.json`, or `undefined` when the run is missing. */
async function load(dir: string, name: string): Promise<Json | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(`${dir}/${name}.json`));
  } catch {
    return undefined;
  }
}

/** Failed connects: chatbench counts them, `deno task bench` by reason. */
function failures(failed: number | Record<string, number>): number {
  if (typeof failed === "number") return failed;
  return Object.values(failed).reduce((a, b) => a + b, 0);
}

const m = (n: number) => (n / 1e6).toFixed(2);
const f1 = (n: number) => n.toFixed(1);

/** One line per ramp: the best passing step and why the ramp stopped. */
function rampRow(name: string, ramp: Json | undefined): string {
  if (!ramp) return `| ${name} | (missing) | | | | | |`;
  const best = ramp.best as Step | null;
  if (!best) {
    return `| ${name} | no step passed | | | | | ${ramp.stop_reason} |`;
  }
  return `| ${name} | ${m(best.deliveries_per_s)} M/s | ${
    f1(best.p99_ms)
  } ms | ${f1(best.msgs_per_frame)} | ${f1(best.server_cpu_pct)}% | ${
    f1(best.generator_cpu_pct)
  }% | ${ramp.stop_reason} |`;
}

/** Every step of a ramp, for the record. */
function stepTable(name: string, ramp: Json | undefined): string[] {
  if (!ramp) return [];
  const lines = [
    `#### ${name}`,
    "",
    "| offered msgs/s | deliveries/s | ratio | p99 ms | msgs/frame | server CPU | generator CPU | pass |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const s of ramp.steps as Step[]) {
    lines.push(
      `| ${Math.round(s.offered_msgs_per_s)} | ${
        Math.round(s.deliveries_per_s)
      } | ${s.delivery_ratio.toFixed(4)} | ${f1(s.p99_ms)} | ${
        f1(s.msgs_per_frame)
      } | ${f1(s.server_cpu_pct)}% | ${f1(s.generator_cpu_pct)}% | ${
        s.pass ? "yes" : "no"
      } |`,
    );
  }
  return [...lines, ""];
}

const dir = Deno.args[0];
if (!dir) {
  console.error("usage: bench/summary.ts RESULTS_DIR");
  Deno.exit(2);
}
const out: string[] = [];
out.push(
  "| run | fan-out capacity | p99 | msgs/frame | server CPU | generator CPU | stopped because |",
  "|---|---|---|---|---|---|---|",
);
const ramps = [
  "natter-ramp-100",
  "baseline-ramp-100",
  "natter-workers-ramp-100",
  "natter-ramp-1000",
  "baseline-ramp-1000",
  "natter-workers-ramp-1000",
  "natter-v8-default-ramp-1000",
];
const loaded = new Map<string, Json | undefined>();
for (const name of ramps) loaded.set(name, await load(dir, name));
for (const name of ramps) out.push(rampRow(name, loaded.get(name)));
for (const clients of [100, 1000]) {
  const n = loaded.get(`natter-ramp-${clients}`)?.best as Step | null;
  const b = loaded.get(`baseline-ramp-${clients}`)?.best as Step | null;
  if (n && b) {
    out.push(
      "",
      `Ratio at ${clients} clients: ${
        (n.deliveries_per_s / b.deliveries_per_s).toFixed(1)
      }x the baseline.`,
    );
  }
}
out.push(
  "",
  "| light load, 100 clients, 1000 msgs/s | p50 | p99 | max | msgs/frame |",
  "|---|---|---|---|---|",
);
for (const server of ["natter", "baseline"]) {
  const r = await load(dir, `${server}-light-100`);
  if (!r) continue;
  const l = r.latency as Record<string, number>;
  out.push(
    `| ${server} | ${l.p50_ms} ms | ${l.p99_ms} ms | ${l.max_ms} ms | ${r.msgs_per_frame} |`,
  );
}
out.push(
  "",
  "| connect storm | connects/s | failed | RSS per connection | one broadcast reached | in |",
  "|---|---|---|---|---|---|",
);
for (
  const name of [
    "natter-connect-2000",
    "baseline-connect-2000",
    "natter-v8-default-connect-2000",
    "natter-connect-10000",
    "baseline-connect-10000",
  ]
) {
  const r = await load(dir, name);
  if (!r) continue;
  const c = r.connect as {
    connects_per_s: number;
    failed: number | Record<string, number>;
  };
  const fan = r.fanout as Record<string, number>;
  out.push(
    `| ${name} | ${Math.round(c.connects_per_s)} | ${
      failures(c.failed)
    } | ${r.server_rss_per_conn_kib} KiB | ${fan.received}/${fan.receivers} | ${
      (fan.seconds_to_last * 1000).toFixed(0)
    } ms |`,
  );
}
out.push(
  "",
  "| stalled reader run | readers' delivery | readers' p99 | RSS growth (peak - before) | same traffic, no stalled reader | stalled peer's share | verdict |",
  "|---|---|---|---|---|---|---|",
);
const shares: number[] = [];
for (let i = 1;; i++) {
  const slow = await load(dir, `natter-slow-${i}`);
  const control = await load(dir, `natter-slow-control-${i}`);
  if (!slow || !control) break;
  const growth = (r: Json) => {
    const s = r.server as Record<string, number>;
    return (s.rss_peak_kib - s.rss_before_kib) / 1024;
  };
  const lat = slow.latency as Record<string, number>;
  const verdict = (slow.slow_client as Record<string, string>).verdict;
  shares.push(growth(slow) - growth(control));
  out.push(
    `| ${i} | ${slow.delivery_ratio} | ${lat.p99_ms} ms | ${
      growth(slow).toFixed(2)
    } MiB | ${growth(control).toFixed(2)} MiB | ${
      shares.at(-1)!.toFixed(2)
    } MiB | ${verdict} |`,
  );
}
if (shares.length > 0) {
  const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
  out.push(
    "",
    `Stalled peer's share, mean of ${shares.length} pairs: ${
      mean.toFixed(2)
    } MiB.`,
  );
}
out.push("", "### Every ramp step", "");
for (const name of ramps) out.push(...stepTable(name, loaded.get(name)));
console.log(out.join("\n"));
