/**
 * Where a profiled server's time went: the self time of the busiest
 * functions in a `--cpu-prof` profile, and the pauses in a
 * `--v8-flags=--trace-gc` log (the server's stdout), as shares of the
 * profile's wall time.
 *
 *   deno run --allow-read bench/cpuprofile.ts PROFILE.cpuprofile [GC_LOG] [N]
 *
 * @module
 */

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** Self time per function, in µs, busiest first. */
export function selfTimes(
  profile: { nodes: Node[]; samples: number[]; timeDeltas: number[] },
): [string, number][] {
  const names = new Map<number, string>();
  for (const { id, callFrame: f } of profile.nodes) {
    const file = f.url.split("/").pop();
    names.set(
      id,
      `${f.functionName || "(anonymous)"}${file ? ` ${file}` : ""}`,
    );
  }
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const name = names.get(id)!;
    totals.set(name, (totals.get(name) ?? 0) + profile.timeDeltas[i]);
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/** The pauses of a trace-gc log, in ms, by kind (Scavenge, Mark-Compact). */
export function gcPauses(
  log: string,
): Map<string, { count: number; ms: number }> {
  const pauses = new Map<string, { count: number; ms: number }>();
  const line =
    /\d+ ms: (\S+)[^,]*MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/;
  for (const text of log.split("\n")) {
    const match = line.exec(text);
    if (!match) continue;
    const kind = pauses.get(match[1]) ?? { count: 0, ms: 0 };
    kind.count++;
    kind.ms += Number(match[2]);
    pauses.set(match[1], kind);
  }
  return pauses;
}

if (import.meta.main) {
  const [file, gcLog, n] = Deno.args;
  if (!file) {
    console.error(
      "usage: deno run --allow-read bench/cpuprofile.ts PROFILE [GC_LOG] [N]",
    );
    Deno.exit(2);
  }
  const profile = JSON.parse(await Deno.readTextFile(file));
  const times = selfTimes(profile);
  const wall = times.reduce((sum, [, t]) => sum + t, 0);
  const pct = (us: number) => `${(us / wall * 100).toFixed(1)}%`;
  console.log(`wall ${(wall / 1000).toFixed(0)} ms`);
  for (const [name, us] of times.slice(0, Number(n ?? 20))) {
    console.log(
      `${pct(us).padStart(6)} ${
        (us / 1000).toFixed(1).padStart(8)
      } ms  ${name}`,
    );
  }
  if (gcLog) {
    for (
      const [kind, { count, ms }] of gcPauses(await Deno.readTextFile(gcLog))
    ) {
      console.log(
        `gc: ${kind} ${count} pauses, ${ms.toFixed(1)} ms, ${
          pct(ms * 1000)
        } of wall`,
      );
    }
  }
}
