/**
 * What the fuzzer checks of the natter process itself: that it is ready
 * and healthy, its resident memory, sampled while the run goes on, and its
 * log (started with `--log-format json`, so each line names its level).
 *
 * @module
 */

import { pause } from "../util/turns.ts";

/** The resident set size of process `pid` in MiB, from `/proc/PID/status`. */
export async function rssMiB(pid: number): Promise<number | undefined> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined; // The process has gone; the run reports that.
  }
}

/** Samples the resident memory of `pid` until stopped, keeping the peak. */
export class RssWatch {
  /** The highest sample so far, in MiB. */
  peak = 0;
  /** How many samples were taken. */
  samples = 0;
  readonly #timer: ReturnType<typeof setInterval>;

  /** Starts sampling `pid` every `everyMs` milliseconds. */
  constructor(pid: number, everyMs = 100) {
    this.#timer = setInterval(async () => {
      const rss = await rssMiB(pid);
      if (rss === undefined) return;
      this.samples++;
      this.peak = Math.max(this.peak, rss);
    }, everyMs);
  }

  /** Stops sampling. */
  stop(): void {
    clearInterval(this.#timer);
  }
}

/** A line of a stack trace, as V8 prints one. */
const STACK_LINE = /(^|\\n|\n)\s+at .*(:\d+:\d+|\(native\)|<anonymous>)/;

/**
 * The lines of natter's stderr that show it was hurt: an uncaught error, a
 * stack trace, or a log line at `error` level or above. Closing a client
 * that misbehaves is logged at info or warning level, and is no problem.
 *
 * @example
 * ```ts
 * logProblems(['{"level":"WARN","message":"client evicted: send queue full"}']);
 * // []
 * ```
 */
export function logProblems(lines: readonly string[]): string[] {
  const problems: string[] = [];
  for (const line of lines) {
    if (line.trim() === "") continue;
    let level: unknown;
    try {
      level = JSON.parse(line).level;
    } catch {
      level = undefined;
    }
    if (
      /uncaught/i.test(line) || STACK_LINE.test(line) ||
      level === "ERROR" || level === "FATAL" ||
      (level === undefined && /\berror\b/i.test(line))
    ) {
      problems.push(
        `stderr: ${line.length > 600 ? line.slice(0, 600) + "..." : line}`,
      );
    }
  }
  return problems;
}

/** The status of natter's `/healthz`, or 0 when it does not answer. */
export async function healthz(url: URL): Promise<number> {
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
export async function untilReady(url: URL): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const response = await fetch(new URL("/readyz", url));
    await response.body?.cancel();
    if (response.status === 200) return;
    await pause(100);
  }
  throw new Error(`natter at "${url}" was not ready within 10 s`);
}
