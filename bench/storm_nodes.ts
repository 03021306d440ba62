/**
 * The arrival storm on two nodes: the benchmark starts its own redis-server
 * and two natter nodes sharing it, joins `clients` to node A in one room
 * while a sender on node B posts `rate` messages a second, and then sends
 * SIGTERM to A. A closes its clients with 1012 over `--drain-window`; each
 * rejoins on B with `since` (`storm_mover.ts`). The report says how long
 * until every client was back, how many recovered, and how many lost or
 * repeated a message across the move.
 *
 * Every process it starts is stopped when it ends, however it ends.
 *
 * @module
 */

import { RedisServer } from "../test_util/redis.ts";
import { startNode, wsUrl } from "../test_util/node.ts";
import { Histogram } from "./histogram.ts";
import { ProcessWatch } from "./proc.ts";
import { type Failures, Mover } from "./storm_mover.ts";
import { Sender } from "./storm_sender.ts";

/** Settings of a two-node storm. */
export interface NodesOptions {
  room: string;
  /** Clients that join node A and move to node B. */
  clients: number;
  /** Join attempts in flight at once, on node A. */
  par: number;
  /** Milliseconds a join attempt may wait for its reply. */
  timeout: number;
  /** Attempts per client to join node A before it is given up. */
  attempts: number;
  /** Messages a second the sender on node B posts. */
  rate: number;
  /** Node A's `--drain-window`, seconds. */
  window: number;
  /** Seconds after SIGTERM within which every client must be back to pass. */
  deadline: number;
  /**
   * Aborted, the run stops waiting, cleans up and reports what it has.
   * Without one it waits as long as the clients take to come back.
   */
  signal?: AbortSignal;
  /** Where to print progress. */
  progress?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `promise`'s value, or `undefined` if it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((r) =>
    timer = setTimeout(() => r(undefined), ms)
  );
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits until `done()` holds, checking every 50 ms, for at most `ms` or
 * until `signal` is aborted; returns whether it holds.
 */
async function until(
  done: () => boolean,
  ms: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const end = performance.now() + ms;
  while (!done() && performance.now() < end && !signal?.aborted) {
    await sleep(50);
  }
  return done();
}

/**
 * Kills this process's children at once. Deno fires `unload` on
 * `Deno.exit`, which leaves children running, and an asynchronous clean-up
 * never runs then: this one is synchronous.
 */
function killChildren(): void {
  for (const task of Deno.readDirSync("/proc/self/task")) {
    let children = "";
    try {
      children = Deno.readTextFileSync(`/proc/self/task/${task.name}/children`);
    } catch {
      continue;
    }
    for (const pid of children.trim().split(/\s+/).filter(Boolean)) {
      try {
        Deno.kill(Number(pid), "SIGKILL");
      } catch {
        // It has exited.
      }
    }
  }
}

/**
 * Runs the two-node storm and reports it as one object.
 *
 * @example
 * ```ts
 * const report = await stormNodes({
 *   room: "storm",
 *   clients: 2000,
 *   par: 500,
 *   timeout: 30_000,
 *   attempts: 5,
 *   rate: 20,
 *   window: 5,
 *   deadline: 15,
 * });
 * console.log(report.pass, report.seconds_to_all_rejoined);
 * ```
 */
export async function stormNodes(options: NodesOptions) {
  const { room, clients, par, timeout, attempts, rate, window, signal } =
    options;
  const progress = options.progress ?? (() => {});
  await using stack = new AsyncDisposableStack();
  addEventListener("unload", killChildren);
  stack.defer(() => removeEventListener("unload", killChildren));
  const redis = stack.use(await RedisServer.start());
  const flags = ["--drain-window", String(window)];
  const a = stack.use(await startNode(redis.url, flags));
  const b = stack.use(await startNode(redis.url, flags));
  const [urlA, urlB] = [wsUrl(a), wsUrl(b)];
  progress(
    `storm: redis on ${redis.port}, node A at ${urlA}, node B at ${urlB}`,
  );

  const sender = await Sender.join(urlB, room, timeout);
  stack.defer(() => sender.close());
  const joinFailed: Failures = {};
  const rejoinFailed: Failures = {};
  const movers: Mover[] = [];
  stack.defer(() => movers.forEach((m) => m.close()));
  let next = 0;
  const lane = async () => {
    while (next < clients && !signal?.aborted) {
      const nick = `m${next++}`;
      const mover = new Mover({ room, nick, timeout });
      for (let k = 0; k < attempts && !signal?.aborted; k++) {
        if (await mover.join(urlA, joinFailed)) {
          movers.push(mover);
          break;
        }
        await sleep(100 * (1 + Math.random()));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(par, clients) }, lane));
  progress(`storm: ${movers.length}/${clients} joined node A`);

  // Messages flow before the drain, and go on through it. What a mover
  // lost before the drain is told apart: it is not the move's doing.
  sender.start(rate);
  await sleep(1000);
  const before = new Map(movers.map((m) => [m, m.gaps + m.duplicates]));
  const watchB = new ProcessWatch(b.child.pid);
  stack.defer(() => void watchB.stop());
  for (const mover of movers) {
    mover.onClose = () => {
      if (mover.rejoinedAt === 0) mover.rejoin(urlB, rejoinFailed, signal);
    };
  }
  const sigterm = performance.now();
  a.child.kill("SIGTERM");
  const ticker = setInterval(() => {
    const closed = movers.filter((m) => m.closedWith !== undefined).length;
    const back = movers.filter((m) => m.rejoinedAt > 0).length;
    const s = ((performance.now() - sigterm) / 1000).toFixed(1);
    progress(`storm: ${s} s after SIGTERM: ${closed} closed, ${back} rejoined`);
  }, 1000);
  const everyoneBack = () => movers.every((m) => m.rejoinedAt > 0);
  await until(everyoneBack, Infinity, signal);
  clearInterval(ticker);

  // Live messages once more, then every mover must reach the last one.
  await sleep(signal?.aborted ? 0 : 1000);
  sender.stop();
  await until(() => sender.answered, 5000);
  const final = sender.offset;
  await until(() => movers.every((m) => m.last >= final), 5000, signal);
  const aExit = await within(a.child.status, 10_000);
  const nodeB = watchB.stop();
  return {
    mode: "two-nodes",
    complete: !signal?.aborted,
    room,
    clients,
    par,
    rate,
    window_s: window,
    joined_node_a: movers.length,
    join_failed: joinFailed,
    sent: sender.sent,
    acked: sender.acked,
    refused: sender.refused,
    final_offset: final,
    ...moves(movers, {
      clients,
      sigterm,
      final,
      before,
      deadline: options.deadline,
    }),
    rejoin_failed: rejoinFailed,
    node_a_exit: aExit ? aExit.code : null,
    node_b: {
      cpu_pct: nodeB.cpu_pct,
      rss_peak_mib: Math.round(nodeB.rss_peak_kib / 1024 * 10) / 10,
    },
  };
}

/**
 * What the movers tell of the move: how they were closed, when they were
 * back, whether they recovered, and who lost or repeated a message across
 * it (a gap or a repeat after `before`, their count at the drain, or short
 * of the `final` offset). `pass` says whether all `clients` joined and
 * were back, recovered, within `deadline` seconds, with nothing lost.
 */
function moves(
  movers: Mover[],
  run: {
    clients: number;
    sigterm: number;
    final: number;
    before: Map<Mover, number>;
    deadline: number;
  },
) {
  const rejoined = movers.filter((m) => m.rejoinedAt > 0);
  const after = new Histogram();
  for (const m of rejoined) after.record((m.rejoinedAt - run.sigterm) * 1000);
  const closes: Record<string, number> = {};
  for (const m of movers) {
    const code = String(m.closedWith ?? "none");
    closes[code] = (closes[code] ?? 0) + 1;
  }
  const wrongBefore = (m: Mover) => (run.before.get(m) ?? 0) > 0;
  const wrongSince = (m: Mover) =>
    m.gaps + m.duplicates > (run.before.get(m) ?? 0);
  const behind = (m: Mover) => m.last < run.final;
  const count = (test: (m: Mover) => boolean) => movers.filter(test).length;
  const lost = count((m) => wrongSince(m) || behind(m));
  const lostBefore = count(wrongBefore);
  const recovered = count((m) => m.recovered === true);
  const all = rejoined.length === movers.length && movers.length > 0;
  const last = Math.max(0, ...rejoined.map((m) => m.rejoinedAt));
  const seconds = all ? Math.round(last - run.sigterm) / 1000 : null;
  return {
    closes,
    seconds_to_all_rejoined: seconds,
    rejoined: rejoined.length,
    recovered,
    not_recovered: rejoined.length - recovered,
    rejoin_after_sigterm: after.summary(),
    lost,
    gaps: count((m) => m.gaps > 0),
    duplicates: count((m) => m.duplicates > 0),
    behind: count(behind),
    lost_before_drain: lostBefore,
    pass: seconds !== null && seconds <= run.deadline &&
      movers.length === run.clients && recovered === run.clients &&
      lost === 0 && lostBefore === 0,
  };
}
