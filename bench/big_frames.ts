/**
 * What oversized frames cost natter's memory. Deno 2.9 reads a WebSocket
 * frame of up to 64 MiB whole before natter sees it, so natter can answer
 * one only after paying for it. This starts natter as `deno task start`
 * does (defaults on, loopback, a free port), opens N connections from one
 * IP, sends one text frame of S MiB on each at once, and samples the
 * server's VmRSS every 20 ms: the baseline (connections open, nothing sent),
 * the peak, and the RSS 5 s after the last answer (1009 on a plain
 * connection, `too_big` on a natter.v1 one). A fresh server for every round.
 *
 *   deno run --allow-all bench/big_frames.ts [--rounds 3] [--case NxS ...]
 *
 * Without `--case` it runs 1x64, 1x40, 4x32 and 16x32, each plain and
 * natter.v1; a 64 MiB frame is sent one byte short, the most Deno reads. One JSON line per round on stdout, then per case the median
 * and the spread (min to max) of the rounds.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { MAIN, NatterProcess, startFlags } from "../test_util/process.ts";
import { rawHandshake, type RawWebSocket } from "../test_util/raw_ws.ts";
import { deadline } from "../test_util/natter.ts";
import { rssKiB } from "./proc.ts";
import { median } from "./rounds.ts";

const MiB = 1024 * 1024;
const MAX_MIB = 64;
/**
 * The largest frame Deno 2.9 reads: 64 MiB less one byte. A frame of 64 MiB
 * or more is refused on its header, unread, by dropping the connection.
 */
const MAX_FRAME = MAX_MIB * MiB - 1;
const MAX_CONNECTIONS = 64;
const MAX_ROUNDS = 10;
const SAMPLE_MS = 20;
const AFTER_MS = 5_000;
/** How long all answers may take, however many frames are in flight. */
const ANSWER_DEADLINE_MS = 60_000;

/** One case: `connections` frames of `mib` MiB at once, one per connection. */
interface Case {
  connections: number;
  mib: number;
  mode: "plain" | "natter.v1";
}

/** What one round measured, in KiB of the server's VmRSS. */
interface Round extends Case {
  round: number;
  baseline_kib: number;
  peak_kib: number;
  after_kib: number;
  /** Milliseconds from the first byte sent to the last answer. */
  answered_ms: number;
}

/** One masked text frame of `size` bytes of "x", with a zero mask key. */
function textFrame(size: number): Uint8Array {
  const frame = new Uint8Array(14 + size).fill(0x78);
  frame[0] = 0x81;
  frame[1] = 0x80 | 127;
  new DataView(frame.buffer).setBigUint64(2, BigInt(size));
  frame.fill(0, 10, 14);
  return frame;
}

/** Reads until this connection's answer to the big frame; names what came. */
async function answer(conn: RawWebSocket, mode: Case["mode"]): Promise<void> {
  const decoder = new TextDecoder();
  while (true) {
    const frame = await conn.readFrame();
    if (frame === null) throw new Error("Connection ended without an answer");
    const text = decoder.decode(frame.payload);
    if (mode === "plain" && frame.opcode === 0x8) {
      const code = (frame.payload[0] << 8) | frame.payload[1];
      if (code !== 1009) throw new Error(`Closed with ${code}, not 1009`);
      return;
    }
    if (mode === "natter.v1" && /"too_big"/.test(text)) return;
    if (frame.opcode === 0x8) throw new Error(`Closed: ${text}`);
  }
}

/** Runs one round of `c` on a fresh server. */
async function runRound(c: Case, round: number): Promise<Round> {
  await using natter = await NatterProcess.start(Deno.execPath(), [
    "run",
    ...startFlags(),
    MAIN,
  ]);
  const pid = natter.child.pid;
  const addr = { hostname: "127.0.0.1", port: Number(natter.url.port) };
  const headers: Record<string, string> = c.mode === "natter.v1"
    ? { "sec-websocket-protocol": "natter.v1" }
    : {};
  const conns: RawWebSocket[] = [];
  try {
    for (let i = 0; i < c.connections; i++) {
      const { status, conn } = await rawHandshake(addr, { headers });
      if (status !== 101 || !conn) throw new Error(`Upgrade got ${status}`);
      conns.push(conn);
    }
    // Let the upgrades settle before the baseline.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const baseline = rssKiB(pid);
    let peak = baseline;
    const timer = setInterval(() => {
      peak = Math.max(peak, rssKiB(pid));
    }, SAMPLE_MS);
    try {
      // Every connection sends the same bytes: the client holds one frame.
      const frame = textFrame(Math.min(c.mib * MiB, MAX_FRAME));
      const start = performance.now();
      await deadline(
        Promise.all(
          conns.map((conn) =>
            Promise.all([conn.sendRaw(frame), answer(conn, c.mode)])
          ),
        ),
        `${c.connections} answers to ${c.mib} MiB`,
        ANSWER_DEADLINE_MS,
      );
      const answered = performance.now() - start;
      await new Promise((resolve) => setTimeout(resolve, AFTER_MS));
      const after = rssKiB(pid);
      peak = Math.max(peak, after);
      return {
        ...c,
        round,
        baseline_kib: baseline,
        peak_kib: peak,
        after_kib: after,
        answered_ms: Math.round(answered),
      };
    } finally {
      clearInterval(timer);
    }
  } finally {
    for (const conn of conns) conn.abort();
  }
}

/** `NxS` as a case of N connections with S MiB each, in both modes. */
function parseCase(text: string): Case[] {
  const match = /^(\d+)x(\d+)$/.exec(text);
  if (!match) {
    throw new TypeError(`Cannot parse "--case": "${text}" is not NxS`);
  }
  const connections = Number(match[1]);
  const mib = Number(match[2]);
  if (connections < 1 || connections > MAX_CONNECTIONS) {
    throw new RangeError(
      `Cannot run "${text}": 1 to ${MAX_CONNECTIONS} connections`,
    );
  }
  if (mib < 1 || mib > MAX_MIB) {
    throw new RangeError(`Cannot run "${text}": 1 to ${MAX_MIB} MiB`);
  }
  return [
    { connections, mib, mode: "plain" },
    { connections, mib, mode: "natter.v1" },
  ];
}

/** `median (min to max)` of `values` KiB, in MiB. */
function spread(values: number[]): string {
  const mib = (kib: number) => (kib / 1024).toFixed(0);
  return `${mib(median(values))} (${mib(Math.min(...values))} to ${
    mib(Math.max(...values))
  })`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string", default: "3" },
      case: { type: "string", multiple: true },
    },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > MAX_ROUNDS) {
    throw new RangeError(
      `Cannot parse "--rounds": "${values.rounds}" is not 1 to ${MAX_ROUNDS}`,
    );
  }
  const cases = (values.case ?? ["1x64", "1x40", "4x32", "16x32"])
    .flatMap(parseCase);
  const results: Round[][] = [];
  for (const c of cases) {
    const done: Round[] = [];
    for (let round = 1; round <= rounds; round++) {
      const result = await runRound(c, round);
      console.log(JSON.stringify(result));
      done.push(result);
    }
    results.push(done);
  }
  console.log(
    "\n| case | baseline MiB | peak MiB | peak - baseline MiB | 5 s after MiB |",
  );
  console.log("| --- | --- | --- | --- | --- |");
  for (const done of results) {
    const { connections, mib, mode } = done[0];
    console.log(
      `| ${connections} x ${mib} MiB, ${mode} | ${
        spread(done.map((r) => r.baseline_kib))
      } | ${spread(done.map((r) => r.peak_kib))} | ${
        spread(done.map((r) => r.peak_kib - r.baseline_kib))
      } | ${spread(done.map((r) => r.after_kib))} |`,
    );
  }
}
