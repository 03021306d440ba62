/**
 * `deno task bench:compare`: interleaved rounds of natter, Bun (the rival
 * chat server on `Bun.serve` pub/sub, `--bun-chat`) and the Set-and-loop baseline
 * (`bench/baseline.ts`), with chatbench and with `deno task bench`, one
 * fresh server per run and one run at a time, then the medians, spreads and
 * natter/Bun ratios of `bench/compare_report.ts`.
 *
 *   deno task bench:compare --out DIR [--rounds 3] [--scenarios ramp-100,...]
 *
 * Within a round every scenario runs each server in turn, so drift over the
 * session (another developer's tests, a busy hour) weighs on all alike. Each
 * generator run holds /tmp/natter-bench.lock and is bounded by --max-steps,
 * --duration and a watchdog. Loopback only.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { report } from "./compare_report.ts";

const USAGE = `Usage: deno task bench:compare --out DIR [flags]
  --rounds N          interleaved rounds (3)
  --scenarios LIST    ramp-100,ramp-1000,light-100 (all three)
  --servers LIST      natter,bun,baseline (natter.v1, natter-workers2 too)
  --generators LIST   chatbench,deno (both)
  --chatbench PATH    chatbench binary (chatbench)
  --bun PATH          bun binary (/tmp/bun/node_modules/.bin/bun)
  --bun-chat PATH     the rival chat server Bun runs (bun-chat.ts; not part
                      of natter: needed when the servers include bun)
  --duration D        seconds of sending per ramp step (3s)
  --max-steps N       ramp steps at most, for natter and Bun (10)
  --before DIR        a checkout of an earlier natter, run as natter-before
  --quiet-pct N       wait (30 s at most) for the machine to be under N% busy
                      before each run (50)
  --pin               server on CPU 0, generator on CPU 1 (taskset)
  --lock PATH         the lock every benchmark on the machine holds
                      (/tmp/natter-bench.lock)
  --report-only       print the tables of DIR, run nothing`;

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    out: { type: "string" },
    rounds: { type: "string", default: "3" },
    scenarios: { type: "string", default: "ramp-100,ramp-1000,light-100" },
    servers: { type: "string", default: "natter,bun,baseline" },
    generators: { type: "string", default: "chatbench,deno" },
    chatbench: { type: "string", default: "chatbench" },
    bun: { type: "string", default: "/tmp/bun/node_modules/.bin/bun" },
    "bun-chat": { type: "string" },
    duration: { type: "string", default: "3s" },
    "max-steps": { type: "string", default: "10" },
    before: { type: "string" },
    "quiet-pct": { type: "string", default: "50" },
    pin: { type: "boolean", default: false },
    lock: { type: "string", default: "/tmp/natter-bench.lock" },
    "report-only": { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});
if (flags.help || !flags.out) {
  console.log(USAGE);
  Deno.exit(flags.help ? 0 : 2);
}
const out = flags.out;
const list = (value: string) => value.split(",").filter((s) => s !== "");
const repo = new URL("..", import.meta.url).pathname;
const LOCK = flags.lock!;
if (
  !flags["report-only"] && list(flags.servers!).includes("bun") &&
  !flags["bun-chat"]
) {
  console.error("bench:compare: --servers bun needs --bun-chat PATH");
  Deno.exit(2);
}

/**
 * Each server as a command line on `port`. natter runs as `deno task start`
 * does; natter.v1 is the same server, driven in natter.v1 by `deno task
 * bench` (chatbench speaks plain mode only).
 */
function serverCommand(server: string, port: number): string[] | undefined {
  const natter = [
    "deno",
    "run",
    "--v8-flags=--max-semi-space-size=2,--max-old-space-size=2047",
    "--allow-net",
    // As deno task start: /dev/null too, to count the free descriptors
    // (without it natter assumes few, and caps clients far below 1000).
    "--allow-read",
    "--allow-env",
    "main.ts",
    "--hostname",
    "127.0.0.1",
    "--port",
    String(port),
  ];
  switch (server) {
    case "natter":
    case "natter.v1":
    case "natter-before":
      return natter;
    case "natter-workers2":
      return [...natter, "--workers", "2"];
    case "bun":
      return [
        flags.bun!,
        flags["bun-chat"]!,
      ];
    case "baseline":
      return [
        "deno",
        "run",
        "--allow-net",
        "bench/baseline.ts",
        "--hostname",
        "127.0.0.1",
        "--port",
        String(port),
      ];
  }
}

/**
 * The generator's arguments for a scenario. natter and Bun ramp from 0.2 M
 * deliveries/s; the baseline, some 20 times slower, from 0.02 M, so that
 * its ramp too ends within its steps.
 */
function scenarioArgs(scenario: string, server: string): string[] {
  const [kind, n] = scenario.split("-");
  const clients = Number(n);
  if (kind === "light") {
    return ["broadcast", "--clients", n, "--senders", "5", "--rate", "200"]
      .concat(["--duration", "5s"]);
  }
  const slow = server === "baseline";
  const start = slow ? 20_000 : 200_000;
  const rate = start / 5 / clients;
  const steps = slow ? (clients >= 1000 ? 6 : 7) : Number(flags["max-steps"]);
  return [
    "ramp",
    ...["--clients", n, "--senders", "5", "--rate", String(rate)],
    ...["--factor", "1.5", "--p99-ms", "100", "--duration", flags.duration!],
    ...["--max-steps", String(steps)],
  ];
}

/** Resolves once something accepts connections on `port`, or after 10 s. */
async function listening(port: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return false;
}

/** Both cores' busy share over the next second, in percent. */
async function busyPct(): Promise<number> {
  const read = async () =>
    (await Deno.readTextFile("/proc/stat")).split("\n")[0].split(/\s+/)
      .slice(1).map(Number);
  const a = await read();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const b = await read();
  const d = b.map((v, i) => v - a[i]);
  const total = d.reduce((x, y) => x + y, 0);
  return total ? Math.round(100 * (total - d[3] - d[4]) / total) : 0;
}

/**
 * Waits, 30 s at most, for the machine to be quieter than --quiet-pct
 * (other developers' tests share it); returns the last busy share.
 */
async function quieter(): Promise<number> {
  let busy = 0;
  for (let i = 0; i < 15; i++) {
    busy = await busyPct();
    if (busy <= Number(flags["quiet-pct"])) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return busy;
}

/** What the machine was doing: `uptime` and the busiest processes. */
async function machine(): Promise<string> {
  const run = async (cmd: string, args: string[]) =>
    new TextDecoder().decode(
      (await new Deno.Command(cmd, { args, stdout: "piped" }).output()).stdout,
    ).trim();
  // top's %CPU is over its own short interval, not a process's lifetime.
  const top = await run("top", ["-b", "-n", "1", "-o", "%CPU", "-w", "200"]);
  const busiest = top.split("\n").slice(7, 12).map((line) => {
    const fields = line.trim().split(/\s+/);
    return `${fields[8]} ${fields[11]}`;
  });
  return `${await run("uptime", [])} | top: ${busiest.join(", ")}`;
}

let port = 18900 + Math.floor(Math.random() * 500);

/** Runs one scenario against one server with one generator, fresh server. */
async function runOne(
  name: string,
  server: string,
  gen: string,
  args: string[],
) {
  const pin = (cpu: number) => flags.pin ? ["taskset", "-c", String(cpu)] : [];
  const cmd = [...pin(0), ...serverCommand(server, ++port)!];
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: server === "natter-before" ? flags.before : repo,
    env: { PORT: String(port), HOST: "127.0.0.1" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    if (!(await listening(port))) throw new Error(`${server} did not start`);
    const generator = gen === "deno"
      ? ["deno", "run", "--allow-all", "bench/bench.ts"]
      : [flags.chatbench!];
    const extra = gen === "deno" ? ["--watchdog", "400"] : [];
    if (server === "natter.v1") extra.push("--protocol", "natter.v1");
    // chatbench's --pid is the server's own process: taskset execs it.
    const full = [
      LOCK,
      ...pin(1),
      ...generator,
      ...args,
      ...["--url", `ws://127.0.0.1:${port}/ws`, "--pid", String(child.pid)],
      ...extra,
    ];
    const busy = await quieter();
    await Deno.writeTextFile(
      `${out}/machine.txt`,
      `${name} busy ${busy}% | ${await machine()}\n`,
      { append: true },
    );
    console.error(`== ${name} ${new Date().toISOString().slice(11, 19)}`);
    const result = await new Deno.Command("flock", {
      args: full,
      cwd: repo,
      stdout: "piped",
      stderr: "piped",
    }).output();
    await Deno.writeFile(`${out}/${name}.json`, result.stdout);
    await Deno.writeFile(`${out}/${name}.log`, result.stderr);
  } finally {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await child.status;
    clearTimeout(timer);
  }
}

if (!flags["report-only"]) {
  await Deno.mkdir(out, { recursive: true });
  const rounds = Number(flags.rounds);
  for (let round = 1; round <= rounds; round++) {
    for (const gen of list(flags.generators!)) {
      for (const scenario of list(flags.scenarios!)) {
        for (const server of list(flags.servers!)) {
          if (gen !== "deno" && server === "natter.v1") continue;
          if (server === "natter-before" && !flags.before) continue;
          const name = `${gen}-${server}-${scenario}-${round}`;
          await runOne(name, server, gen, scenarioArgs(scenario, server));
        }
      }
    }
  }
}
console.log(await report(out));
