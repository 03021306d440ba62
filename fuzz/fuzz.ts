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
import { deadline } from "../test_util/natter.ts";
import { MAIN, NatterProcess, startFlags } from "../test_util/process.ts";
import { FuzzConnection } from "./connection.ts";
import {
  commandFrame,
  type FrameSource,
  type FuzzFrame,
  malformedFrame,
  plainFrame,
  roomBurst,
  storm,
} from "./frames.ts";
import { logProblems, RssWatch } from "./health.ts";
import {
  checkConnection,
  type ConnectionRecord,
  describe,
  type Event,
} from "./model.ts";
import { seeded } from "./random.ts";

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

const V1_SLOTS = 4;
const SETTLE_MS = 5_000;
const RECONNECT_SETTLE_MS = 1_000;

/** Runs natter, fuzzes it for `durationMs`, stops it, and reports. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const durationMs = options.durationMs ?? 10_000;
  const maxSteps = options.maxSteps ?? Math.ceil(durationMs / 25);
  const random = seeded(options.seed);
  const trace: string[] = [];
  const problems: string[] = [];
  const records: ConnectionRecord[] = [];
  const knowledge: FrameSource["knowledge"] = {
    positions: new Map(),
    clients: [],
  };
  let ids = 0;
  const source: FrameSource = {
    random,
    knowledge,
    nextId: () => random.chance(0.2) ? `s${++ids}` : ++ids,
  };
  const learn = (event: Event) => {
    if (event.type === "joined" && typeof event.epoch === "string") {
      knowledge.positions.set(event.room, {
        epoch: event.epoch,
        offset: event.offset,
      });
      if (knowledge.clients.length < 64) knowledge.clients.push(event.client);
    } else if (event.type === "message" || event.type === "ack") {
      const known = knowledge.positions.get(event.room);
      if (known) known.offset = Math.max(known.offset, event.offset);
    }
  };
  const args = ["run", ...startFlags(), MAIN, "--log-format", "json"];
  if (options.redis) args.push("--redis", options.redis);
  await using natter = await NatterProcess.start(Deno.execPath(), args, {
    cwd: ROOT,
  });
  let exited = false;
  natter.child.status.then(() => exited = true);
  if (options.redis) await untilReady(natter.url);
  const rss = new RssWatch(natter.child.pid);
  const port = Number(natter.url.port);
  let generation = 0;
  const open = async (
    slot: string,
    mode: "v1" | "plain",
    reads: boolean,
    path?: string,
  ) => {
    const label = `${slot}#${++generation}`;
    trace.push(
      `open ${label} ${mode}${reads ? "" : " (never reads)"} ${path ?? "/ws"}`,
    );
    return await FuzzConnection.open(port, label, {
      mode,
      reads,
      path,
      onEvent: learn,
    });
  };
  const slots = new Map<string, FuzzConnection>();
  let steps = 0;
  const plainPaths: Record<string, string> = {
    "plain-0": "/ws",
    "plain-1": "/ws/a",
  };
  const reopen = async (slot: string) => {
    const old = slots.get(slot);
    if (old) {
      await settle([old], RECONNECT_SETTLE_MS);
      await old.close();
      records.push(old.record);
    }
    const connection = slot.startsWith("v1")
      ? await open(slot, "v1", true)
      : slot === "stall-v1"
      ? await open(slot, "v1", false)
      : slot === "stall-plain"
      ? await open(slot, "plain", false, "/ws/lobby")
      : await open(slot, "plain", true, plainPaths[slot]);
    slots.set(slot, connection);
    if (slot === "stall-v1") {
      await send(
        slot,
        connection,
        ["lobby", "a"].map((room) =>
          commandFrame(source, { room, type: "join" })
        ),
      );
    }
    return connection;
  };
  const send = async (
    slot: string,
    connection: FuzzConnection,
    frames: FuzzFrame[],
  ) => {
    trace.push(
      `${connection.record.label}: ${frames.map(describe).join(" | ")}`,
    );
    try {
      await deadline(connection.send(frames), `${slot} to write`);
    } catch (error) {
      // natter reads every socket whatever it writes to it: a write that
      // does not go through for the deadline means it stopped reading.
      problems.push(`${connection.record.label}: ${(error as Error).message}`);
      await connection.close();
    }
  };
  try {
    for (let i = 0; i < V1_SLOTS; i++) await reopen(`v1-${i}`);
    for (const slot of ["plain-0", "plain-1", "stall-v1", "stall-plain"]) {
      await reopen(slot);
    }

    const end = Date.now() + durationMs;
    let calm = false;
    for (; steps < maxSteps && Date.now() < end && !exited; steps++) {
      if (steps % 40 === 0) calm = random.chance(0.5);
      const roll = random.next();
      if (roll < 0.6) {
        const slot = `v1-${random.int(V1_SLOTS)}`;
        let connection = slots.get(slot)!;
        if (!connection.open) connection = await reopen(slot);
        const kind = random.next();
        const frames = kind < 0.03
          ? storm(source)
          : kind < 0.2
          ? roomBurst(source)
          : Array.from(
            { length: random.between(1, 6) },
            () =>
              random.chance(0.85)
                ? commandFrame(source)
                : malformedFrame(source),
          );
        await send(slot, connection, frames);
      } else if (roll < 0.75) {
        const slot = random.pick(["plain-0", "plain-1"]);
        let connection = slots.get(slot)!;
        if (!connection.open) connection = await reopen(slot);
        await send(
          slot,
          connection,
          Array.from(
            { length: random.between(1, 3) },
            () => plainFrame(source),
          ),
        );
      } else if (roll < 0.85) {
        const connection = slots.get("stall-v1")!;
        const before = 1_000_000;
        await send(
          "stall-v1",
          connection,
          Array.from({ length: random.between(1, 5) }, () => ({
            text: JSON.stringify({
              type: "history",
              room: "lobby",
              before,
              id: source.nextId(),
            }),
            expect: { kind: "anonymous" as const, code: "unchecked" },
          })),
        );
      } else if (roll < 0.89) {
        await reopen(`v1-${random.int(V1_SLOTS)}`);
      } else if (roll < 0.95) {
        await reopen(
          random.pick(["plain-0", "plain-1", "stall-v1", "stall-plain"]),
        );
      } else {
        await sleep(random.int(50));
      }
      await sleep(calm ? random.between(10, 40) : random.int(4));
    }
    trace.push(`stop after ${steps} steps`);
    await settle([...slots.values()]);
  } finally {
    for (const connection of slots.values()) {
      await connection.close();
      records.push(connection.record);
    }
    rss.stop();
  }
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
  const summary = summarize(records);
  for (const line of natter.stderr.lines) {
    const closed = /client (evicted|closed by server): [^"(]*/.exec(line);
    if (closed) {
      const key = `log: ${closed[0].trim()}`;
      summary[key] = (summary[key] ?? 0) + 1;
    }
  }
  return {
    seed: options.seed,
    steps,
    problems,
    trace,
    peakRssMiB: rss.peak,
    summary,
  };
}

/** Waits until every reading connection has got what it is owed, or a while. */
async function settle(
  connections: FuzzConnection[],
  ms = SETTLE_MS,
): Promise<void> {
  const start = Date.now();
  for (let i = 0; i < ms / 20 && Date.now() - start < ms; i++) {
    const owed = connections.filter((c) =>
      c.open && c.record.reads && c.pending() > 0
    );
    if (owed.length === 0) return;
    await sleep(20);
  }
}

/** The status of natter's `/healthz`, or 0 when it does not answer. */
async function healthz(url: URL): Promise<number> {
  try {
    const response = await fetch(new URL("/healthz", url), {
      signal: AbortSignal.timeout(5000),
    });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 0;
  }
}

/** Waits up to 10 s for `/readyz` to answer 200 (natter reached its Redis). */
async function untilReady(url: URL): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const response = await fetch(new URL("/readyz", url));
    await response.body?.cancel();
    if (response.status === 200) return;
    await sleep(100);
  }
  throw new Error(`natter at "${url}" was not ready within 10 s`);
}

/** How many of each answer, event and close the records hold. */
function summarize(records: ConnectionRecord[]): Record<string, number> {
  const summary: Record<string, number> = {};
  const count = (key: string) => summary[key] = (summary[key] ?? 0) + 1;
  for (const record of records) {
    for (const event of record.events) {
      count(
        event.type === "error" ? `error:${event.code}` : String(event.type),
      );
    }
    if (record.mode === "plain") {
      summary["plain messages"] = (summary["plain messages"] ?? 0) +
        record.texts.length;
    }
    const { ending } = record;
    count(
      ending.by === "server"
        ? `close ${ending.code} ${ending.reason}`
        : `ended by ${ending.by}`,
    );
  }
  return summary;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
