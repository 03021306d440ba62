/**
 * What Linux says about a process: CPU time from /proc/PID/stat and resident
 * memory from /proc/PID/status, sampled for a peak.
 *
 * @module
 */

/** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
const HZ = 100;

/** CPU seconds (user + system, all threads) of `pid`, or "self". */
export function cpuSeconds(pid: number | "self"): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / HZ;
}

/** Resident memory of `pid` in KiB. */
export function rssKiB(pid: number | "self"): number {
  return statusKiB(pid, "VmRSS");
}

/**
 * The most resident memory `pid` has held since it started (VmHWM), in KiB;
 * 0 once it has gone.
 */
export function hwmKiB(pid: number): number {
  try {
    return statusKiB(pid, "VmHWM");
  } catch {
    return 0;
  }
}

/** A `kB` field of /proc/PID/status, or 0 if it has none. */
function statusKiB(pid: number | "self", field: string): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  return match ? Number(match[1]) : 0;
}

/**
 * Watches a process over a window: its CPU share and peak memory. Sampling
 * every 100 ms catches the peak that a single reading at the end would miss.
 */
export class ProcessWatch {
  readonly #pid: number | "self";
  readonly #cpu0: number;
  readonly #t0 = performance.now();
  readonly #timer: ReturnType<typeof setInterval>;
  /** Resident memory when the watch started, KiB. */
  readonly rssBefore: number;
  /** The highest resident memory seen, KiB. */
  rssPeak: number;

  /** Starts watching `pid`. */
  constructor(pid: number | "self") {
    this.#pid = pid;
    this.#cpu0 = cpuSeconds(pid);
    this.rssBefore = this.rssPeak = rssKiB(pid);
    this.#timer = setInterval(() => {
      try {
        this.rssPeak = Math.max(this.rssPeak, rssKiB(pid));
      } catch {
        // The process ended; the report says what was seen until then.
      }
    }, 100);
  }

  /** Stops watching and reports CPU seconds, CPU % of one core and memory. */
  stop(): {
    cpu_s: number;
    cpu_pct: number;
    rss_before_kib: number;
    rss_peak_kib: number;
    rss_after_kib: number;
  } {
    clearInterval(this.#timer);
    const seconds = (performance.now() - this.#t0) / 1000;
    let cpu = 0;
    let after = 0;
    try {
      cpu = cpuSeconds(this.#pid) - this.#cpu0;
      after = rssKiB(this.#pid);
    } catch {
      // As above.
    }
    this.rssPeak = Math.max(this.rssPeak, after);
    return {
      cpu_s: Math.round(cpu * 100) / 100,
      cpu_pct: Math.round((cpu / seconds) * 1000) / 10,
      rss_before_kib: this.rssBefore,
      rss_peak_kib: this.rssPeak,
      rss_after_kib: after,
    };
  }
}
