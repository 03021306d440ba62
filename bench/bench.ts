/**
 * natter's load generator: `deno task bench SCENARIO --url ws://HOST:PORT/ws`.
 * It speaks plain mode by default, so it measures natter, the baseline in
 * `bench/baseline.ts`, or any server written for the gorilla chat page;
 * broadcast and ramp also speak natter.v1 (`--protocol natter.v1`) and
 * spread their clients over rooms (`--rooms N`).
 * Each run prints one JSON object on stdout; progress goes to stderr.
 *
 *   broadcast  one step: --clients --senders --rate --size --duration
 *   ramp       steps of --factor more each, until one fails (chatbench's rules)
 *   connect    a storm of --clients connections, then one broadcast to all
 *   slow       a stalled reader among --clients readers at --rate
 *   soak       --clients joining and leaving --rooms with traffic for
 *              --duration; the server's RSS, descriptors and event-loop
 *              delay sampled every second, and a verdict (needs --pid)
 *   flood      --generators processes of --clients connections each, at once
 *   overload   senders offer twice what the server fans out, for --duration
 *   idle       --clients connections that send nothing (--half: half a request)
 *   storm      --clients natter.v1 clients join one room holding history, or
 *              move from one node to another (--two-nodes); flags of its own:
 *              `deno task bench storm --help` (bench/storm_cli.ts)
 *
 * Give the server's PID with --pid for its CPU and memory.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { broadcast } from "./broadcast.ts";
import { connectStorm } from "./connect.ts";
import type { Protocol } from "./load_worker.ts";
import { flood } from "./flood.ts";
import { idle } from "./idle.ts";
import { overload } from "./overload.ts";
import { slow } from "./slow.ts";
import { soak } from "./soak.ts";
import { stormCommand } from "./storm_cli.ts";

// The storm has flags of its own, which the parser below would refuse.
if (Deno.args[0] === "storm") Deno.exit(await stormCommand(Deno.args.slice(1)));

const USAGE =
  `Usage: deno task bench broadcast|ramp|connect|slow|soak|flood|overload|idle --url ws://127.0.0.1:8080/ws [flags]
       deno task bench storm [flags]: see deno task bench storm --help
  --url URL[,URL]  broadcast/ramp: several nodes' URLs take the clients in turn
  --pid N          server PID: its CPU % and RSS
  --clients N      connections (broadcast/ramp 100, connect/soak 2000, slow 10,
                   flood 11000 per generator, overload 500 readers, idle 2000)
  --generators N   flood: generator processes, all at once (2)
  --check N        flood: messages each generator's sender sends once all are in (100)
  --half           idle: each connection sends half a request line, then nothing
  --senders N      of them also sending (5)
  --rate R         msgs/s per sender (broadcast/ramp 200, slow 4000); soak:
                   msgs/s over all connections (200)
  --size B         bytes per message (100; slow 500)
  --protocol P     broadcast/ramp: plain or natter.v1 (plain)
  --rooms N        broadcast/ramp: rooms the clients are spread over, client
                   g in room g % N, sender k in room k % N (1: the default room);
                   soak: rooms the connections move between (50)
  --duration S     seconds of sending per step (5; slow 15; soak 600; overload 10)
  --churn F        soak: share of the connections leaving each second (0.02)
  --factor F       ramp: rate multiplier per step (1.5); overload: the offered
                   load as a multiple of the measured capacity (2), or "flat"
                   to send as fast as the server reads, measuring nothing
  --calibrate S    overload: seconds per step of the ramp that measures the capacity (1)
  --p99-ms MS      ramp: a step fails above this p99 (100)
  --max-steps N    ramp: stop after N steps (30)
  --par N          concurrent connection attempts (50; flood 1000 per generator)
  --hold S         connect: seconds to hold before the broadcast (5)
  --workers N      load threads (4)
  --watchdog S     give up after S seconds in all (900; soak: --duration + 300)`;

const { values: flags, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    url: { type: "string", default: "ws://127.0.0.1:8080/ws" },
    pid: { type: "string" },
    clients: { type: "string" },
    generators: { type: "string", default: "2" },
    check: { type: "string", default: "100" },
    half: { type: "boolean", default: false },
    senders: { type: "string", default: "5" },
    rate: { type: "string" },
    size: { type: "string" },
    protocol: { type: "string", default: "plain" },
    rooms: { type: "string" },
    churn: { type: "string", default: "0.02" },
    duration: { type: "string" },
    factor: { type: "string" },
    calibrate: { type: "string", default: "1" },
    "p99-ms": { type: "string", default: "100" },
    "max-steps": { type: "string", default: "30" },
    par: { type: "string" },
    hold: { type: "string", default: "5" },
    workers: { type: "string", default: "4" },
    watchdog: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

/** A positive number from a flag, or a one-line error and exit 2. */
function num(
  name: string,
  value: string | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(
      `bench: Cannot use "--${name}": "${value}" is not a positive number`,
    );
    Deno.exit(2);
  }
  return n;
}

/**
 * A duration in seconds from a flag: `15`, `15s` or `500ms` (chatbench's
 * spelling works too), or a one-line error and exit 2.
 */
function seconds(name: string, value: string | undefined, fallback: number) {
  if (value === undefined) return fallback;
  const match = /^([0-9.]+)(ms|s)?$/.exec(value);
  const n = match ? Number(match[1]) / (match[2] === "ms" ? 1000 : 1) : NaN;
  if (!Number.isFinite(n) || n <= 0) {
    console.error(
      `bench: Cannot use "--${name}": "${value}" is not a duration (15, 15s, 500ms)`,
    );
    Deno.exit(2);
  }
  return n;
}

const scenario = positionals[0];
if (flags.help || !scenario) {
  console.log(USAGE);
  Deno.exit(flags.help ? 0 : 2);
}
const url = flags.url!;
const pid = flags.pid ? num("pid", flags.pid, 0) : undefined;
const workers = num("workers", flags.workers, 4);
if (flags.protocol !== "plain" && flags.protocol !== "natter.v1") {
  console.error(
    `bench: Cannot use "--protocol": "${flags.protocol}" is not plain or natter.v1`,
  );
  Deno.exit(2);
}
const protocol: Protocol = flags.protocol;
const rooms = num("rooms", flags.rooms, 1);
const watchdog = setTimeout(() => {
  console.log(JSON.stringify({ error: "watchdog: the run took too long" }));
  Deno.exit(1);
}, seconds("watchdog", flags.watchdog, defaultWatchdog()) * 1000);

/** The soak runs for --duration, ten minutes by default, and then some. */
function defaultWatchdog(): number {
  if (scenario !== "soak") return 900;
  return seconds("duration", flags.duration, 600) + 300;
}

async function ramp() {
  const clients = num("clients", flags.clients, 100);
  const senders = num("senders", flags.senders, 5);
  const factor = num("factor", flags.factor, 1.5);
  const p99Limit = num("p99-ms", flags["p99-ms"], 100);
  const maxSteps = num("max-steps", flags["max-steps"], 30);
  let rate = num("rate", flags.rate, 200);
  const steps = [];
  let best = null;
  let stopReason = `reached --max-steps ${maxSteps}`;
  for (let i = 0; i < maxSteps; i++) {
    const r = await broadcast({
      url,
      clients,
      senders,
      rate,
      workers,
      pid,
      size: num("size", flags.size, 100),
      duration: seconds("duration", flags.duration, 5) * 1000,
      drain: 5000,
      par: num("par", flags.par, 50),
      protocol,
      rooms,
    });
    const failedConnects = Object.values(r.connect.failed).reduce(
      (a, b) => a + b,
      0,
    );
    const reasons = [];
    if (r.delivery_ratio < 0.999) {
      reasons.push(`delivery ratio ${r.delivery_ratio} < 0.999`);
    }
    if (r.latency.p99_ms > p99Limit) {
      reasons.push(`p99 ${r.latency.p99_ms}ms > ${p99Limit}ms`);
    }
    if (r.disconnects.count > 0 || failedConnects > 0) {
      reasons.push("disconnects or failed connects");
    }
    const floor = r.sent_msgs_per_s < 0.9 * r.offered_msgs_per_s;
    const step = {
      rate_per_sender: rate,
      offered_msgs_per_s: r.offered_msgs_per_s,
      sent_msgs_per_s: r.sent_msgs_per_s,
      deliveries_per_s: r.deliveries_per_s,
      delivery_ratio: r.delivery_ratio,
      p50_ms: r.latency.p50_ms,
      p99_ms: r.latency.p99_ms,
      max_ms: r.latency.max_ms,
      disconnects: r.disconnects,
      msgs_per_frame: r.msgs_per_frame,
      server_cpu_pct: r.server?.cpu_pct ?? null,
      server_rss_peak_kib: r.server?.rss_peak_kib ?? null,
      generator_cpu_pct: r.generator.cpu_pct,
      pass: reasons.length === 0 && !floor,
    };
    steps.push(step);
    console.error(
      `bench: step ${
        i + 1
      }: ${r.offered_msgs_per_s} msgs/s offered, ${r.deliveries_per_s} deliveries/s, p99 ${r.latency.p99_ms} ms, ${
        step.pass ? "pass" : "fail"
      }`,
    );
    if (floor) {
      stopReason =
        "the generator could not send 90% of the offered rate: the result is a floor";
      break;
    }
    if (reasons.length > 0) {
      stopReason = `step failed: ${reasons.join(", ")}`;
      break;
    }
    best = step;
    rate *= factor;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return { protocol, rooms, best, stop_reason: stopReason, steps };
}

let result;
try {
  switch (scenario) {
    case "broadcast":
      result = await broadcast({
        url,
        workers,
        pid,
        clients: num("clients", flags.clients, 100),
        senders: num("senders", flags.senders, 5),
        rate: num("rate", flags.rate, 200),
        size: num("size", flags.size, 100),
        duration: seconds("duration", flags.duration, 5) * 1000,
        drain: 5000,
        par: num("par", flags.par, 50),
        protocol,
        rooms,
      });
      break;
    case "ramp":
      result = await ramp();
      break;
    case "connect":
      result = await connectStorm({
        url,
        pid,
        clients: num("clients", flags.clients, 2000),
        par: num("par", flags.par, 50),
        hold: seconds("hold", flags.hold, 5) * 1000,
      });
      break;
    case "flood":
      result = await flood({
        url,
        pid,
        generators: num("generators", flags.generators, 2),
        clients: num("clients", flags.clients, 11000),
        par: num("par", flags.par, 1000),
        check: num("check", flags.check, 100),
      });
      break;
    case "overload":
      result = await overload({
        url,
        pid,
        readers: num("clients", flags.clients, 500),
        senders: num("senders", flags.senders, 5),
        factor: flags.factor === "flat"
          ? Infinity
          : num("factor", flags.factor, 2),
        calibrate: flags.factor === "flat"
          ? 0
          : seconds("calibrate", flags.calibrate, 1) * 1000,
        duration: seconds("duration", flags.duration, 10) * 1000,
      });
      break;
    case "idle":
      result = await idle({
        url,
        pid,
        clients: num("clients", flags.clients, 2000),
        half: flags.half!,
        wait: 60_000,
      });
      break;
    case "slow":
      result = await slow({
        url,
        workers,
        pid,
        clients: num("clients", flags.clients, 10),
        rate: num("rate", flags.rate, 4000),
        size: num("size", flags.size, 500),
        duration: seconds("duration", flags.duration, 15) * 1000,
      });
      break;
    case "soak":
      if (pid === undefined) {
        console.error(`bench: Cannot soak without "--pid"`);
        Deno.exit(2);
      }
      result = await soak({
        url,
        pid,
        clients: num("clients", flags.clients, 2000),
        rooms: num("rooms", flags.rooms, 50),
        duration: seconds("duration", flags.duration, 600) * 1000,
        churn: num("churn", flags.churn, 0.02),
        rate: num("rate", flags.rate, 200),
        par: num("par", flags.par, 50),
        progress: (line) => console.error(line),
      });
      break;
    default:
      console.error(`bench: Unknown scenario "${scenario}" (see --help)`);
      Deno.exit(2);
  }
} catch (error) {
  console.log(JSON.stringify({ error: (error as Error).message }));
  Deno.exit(1);
}
clearTimeout(watchdog);
console.log(JSON.stringify({ cmd: scenario, url, ...result }, null, 2));
Deno.exit(0);
