/**
 * The arrival storm: `clients` natter.v1 clients join one room that holds
 * history, `par` join attempts in flight at once, while the server's CPU
 * and memory are sampled. It reports how fast they got in, how long each
 * join took, and how much presence the members received meanwhile: the
 * first member to join from its `joined` reply on, and every member.
 *
 * The room is filled first by one client that then leaves
 * (`storm_fill.ts`). The joins run in worker threads (`storm_worker.ts`),
 * so the main thread's samples of the server keep their pace.
 *
 * @module
 */

import { Histogram } from "./histogram.ts";
import { now } from "./open.ts";
import { cpuSeconds, hwmKiB, ProcessWatch } from "./proc.ts";
import { fillRoom } from "./storm_fill.ts";
import type { JoinersReport } from "./storm_joiners.ts";
import type { StormAnswer, StormRequest } from "./storm_worker.ts";

/** Settings of a storm. */
export interface StormOptions {
  /** The server's WebSocket URL, for example `ws://127.0.0.1:8080/ws`. */
  url: string;
  room: string;
  clients: number;
  /** Join attempts in flight at once, over all threads. */
  par: number;
  /** Messages posted to the room before the storm. */
  history: number;
  /** Generator threads. */
  workers: number;
  /** The server's PID, for its CPU and memory. */
  pid?: number;
  /** Milliseconds a join attempt may wait for its reply. */
  timeout: number;
  /** Attempts per client before it is given up. */
  attempts: number;
  /**
   * Milliseconds presence is still counted after the last join.
   * @default {1000}
   */
  settle?: number;
  /** Aborted, the storm stops waiting and reports what it has. */
  signal?: AbortSignal;
  /** Where to print progress. */
  progress?: (line: string) => void;
}

/** A generator thread and its latest answers. */
class Thread {
  readonly worker = new Worker(
    new URL("./storm_worker.ts", import.meta.url),
    { type: "module" },
  );
  progress = { joined: 0, failed: 0 };
  readonly done = Promise.withResolvers<void>();
  #waiting = new Map<string, (answer: StormAnswer) => void>();

  constructor() {
    this.worker.onmessage = ({ data }: MessageEvent<StormAnswer>) => {
      if (data.type === "progress") this.progress = data;
      if (data.type === "done") this.done.resolve();
      this.#waiting.get(data.type)?.(data);
    };
  }

  /** Sends `request` and waits for the answer of type `answer`. */
  ask<T extends StormAnswer["type"]>(
    request: StormRequest,
    answer: T,
  ): Promise<Extract<StormAnswer, { type: T }>> {
    const { promise, resolve } = Promise.withResolvers<StormAnswer>();
    this.#waiting.set(answer, resolve);
    this.worker.postMessage(request);
    return promise as Promise<Extract<StormAnswer, { type: T }>>;
  }
}

const mib = (kib: number) => Math.round(kib / 1024 * 10) / 10;

/** The median and maximum of `values`; 0 for none. */
function spread(values: number[]): { median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0,
    max: sorted.at(-1) ?? 0,
  };
}

/** Adds the counts of `from` to `into`. */
function addCounts(into: Record<string, number>, from: Record<string, number>) {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}

/**
 * Fills the room, runs the storm, and reports it as one object.
 *
 * @example
 * ```ts
 * const report = await storm({
 *   url: "ws://127.0.0.1:8080/ws",
 *   room: "storm",
 *   clients: 2000,
 *   par: 500,
 *   history: 60,
 *   workers: 1,
 *   timeout: 30_000,
 *   attempts: 5,
 * });
 * console.log(report.join_latency.p99_ms, report.presence.first?.bytes);
 * ```
 */
export async function storm(options: StormOptions) {
  const { url, room, clients, par, history, workers, pid } = options;
  const progress = options.progress ?? (() => {});
  const filled = await fillRoom(url, room, {
    count: history,
    timeout: options.timeout,
  });
  progress(`storm: "${room}" holds messages up to offset ${filled.offset}`);
  const threads = Array.from(
    { length: Math.min(workers, clients) },
    () => new Thread(),
  );
  // Memory is watched until the presence has settled; CPU over the storm.
  const server = pid ? new ProcessWatch(pid) : undefined;
  const serverCpu0 = pid ? cpuSeconds(pid) : 0;
  const cpu0 = cpuSeconds("self");
  const t0 = now();
  threads.forEach((thread, w) => {
    const share = {
      url,
      room,
      count: Math.ceil((clients - w) / threads.length),
      first: w,
      stride: threads.length,
      par: Math.max(
        1,
        Math.floor((par + threads.length - 1 - w) / threads.length),
      ),
      timeout: options.timeout,
      attempts: options.attempts,
    };
    thread.worker.postMessage({ type: "start", share } satisfies StormRequest);
  });
  const ticker = setInterval(() => {
    const joined = threads.reduce((n, t) => n + t.progress.joined, 0);
    const failed = threads.reduce((n, t) => n + t.progress.failed, 0);
    const s = ((now() - t0) / 1000).toFixed(1);
    progress(
      `storm: ${s} s: ${joined}/${clients} joined, ${failed} failed attempts`,
    );
  }, 1000);
  const aborted = new Promise<void>((resolve) => {
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener("abort", () => resolve());
  });
  await Promise.race([
    Promise.all(threads.map((t) => t.done.promise)),
    aborted,
  ]);
  clearInterval(ticker);
  const complete = !options.signal?.aborted;
  const elapsed = (now() - t0) / 1000;
  const serverCpu = pid ? cpuSeconds(pid) - serverCpu0 : 0;
  const generatorCpu = cpuSeconds("self") - cpu0;
  await new Promise((resolve) => setTimeout(resolve, options.settle ?? 1000));
  const reports: JoinersReport[] = [];
  for (const thread of threads) {
    reports.push((await thread.ask({ type: "report" }, "report")).report);
  }
  const watched = server?.stop();
  const hwm = pid ? hwmKiB(pid) : 0;
  for (const thread of threads) {
    await thread.ask({ type: "close" }, "closed");
    thread.worker.terminate();
  }
  return summarise(reports, {
    options,
    filled: filled.offset,
    complete,
    server: watched && {
      pid,
      cpu_s: Math.round(serverCpu * 100) / 100,
      cpu_pct: Math.round(serverCpu / elapsed * 1000) / 10,
      rss_before_mib: mib(watched.rss_before_kib),
      rss_peak_mib: mib(watched.rss_peak_kib),
      rss_after_mib: mib(watched.rss_after_kib),
      vm_hwm_mib: mib(hwm),
    },
    generatorCpuPct: Math.round(generatorCpu / elapsed * 1000) / 10,
  });
}

/** The threads' reports as one. */
function summarise(
  reports: JoinersReport[],
  run: {
    options: StormOptions;
    filled: number;
    complete: boolean;
    server?: Record<string, number | undefined>;
    generatorCpuPct: number;
  },
) {
  const { options } = run;
  const latency = new Histogram();
  const failed: Record<string, number> = {};
  const disconnects: Record<string, number> = {};
  const chars: number[] = [];
  const events: number[] = [];
  let joined = 0, attempts = 0, retried = 0, gaveUp = 0;
  for (const r of reports) {
    latency.merge(new Histogram(r.latency, r.latencyMax));
    addCounts(failed, r.failed);
    addCounts(disconnects, r.disconnects);
    joined += r.joined;
    attempts += r.attempts;
    retried += r.retried;
    gaveUp += r.gaveUp;
    for (const n of r.presenceChars) chars.push(n);
    for (const n of r.presenceEvents) events.push(n);
  }
  const firstAttempt = Math.min(
    ...reports.map((r) => r.firstAttemptAt || Infinity),
  );
  const lastJoined = Math.max(0, ...reports.map((r) => r.lastJoinedAt));
  const seconds = joined > 0 ? (lastJoined - firstAttempt) / 1000 : 0;
  const first = reports.map((r) => r.first).filter((f) => f !== null)
    .sort((a, b) => a.joinedAt - b.joinedAt)[0];
  const perMemberChars = spread(chars);
  const perMemberEvents = spread(events);
  return {
    url: options.url,
    room: options.room,
    clients: options.clients,
    par: options.par,
    history: options.history,
    history_offset: run.filled,
    workers: reports.length,
    complete: run.complete,
    joined,
    attempts,
    retried,
    gave_up: gaveUp,
    failed,
    seconds: Math.round(seconds * 1000) / 1000,
    joins_per_s: seconds > 0 ? Math.round(joined / seconds) : 0,
    join_latency: latency.summary(),
    server: run.server ?? null,
    presence: {
      settle_s: (options.settle ?? 1000) / 1000,
      first: first
        ? {
          bytes: first.bytes,
          joined_bytes: first.joinedBytes,
          frames: first.frames,
          events: first.presenceEvents,
          scanned_events: first.scannedEvents,
        }
        : null,
      per_member: {
        members: chars.length,
        median_bytes: perMemberChars.median,
        max_bytes: perMemberChars.max,
        median_events: perMemberEvents.median,
        max_events: perMemberEvents.max,
      },
    },
    disconnects,
    generator_cpu_pct: run.generatorCpuPct,
  };
}
