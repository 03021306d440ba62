/**
 * One broadcast step, measured the way chatbench measures it: receivers
 * connect first, the first `senders` of them send `rate` msgs/s each for
 * `duration`, then the step waits for what is still owed.
 *
 * With `rooms` the connections are spread over that many rooms (connection
 * `g` in room `g % rooms`), and a message is owed to every member of its
 * sender's room only.
 *
 * @module
 */

import { Histogram } from "./histogram.ts";
import { now } from "./open.ts";
import type { Protocol, WorkerReport, WorkerRequest } from "./load_worker.ts";
import { ProcessWatch } from "./proc.ts";

/** Settings of one broadcast step. */
export interface BroadcastOptions {
  url: string;
  clients: number;
  senders: number;
  /** Messages per second per sender. */
  rate: number;
  /** Bytes per message, padding included. */
  size: number;
  /** Sending time in milliseconds. */
  duration: number;
  /** How long to wait for outstanding deliveries after sending, ms. */
  drain: number;
  /** Threads that hold the connections. */
  workers: number;
  /** The server's PID, for its CPU and memory. */
  pid?: number;
  par?: number;
  /**
   * Plain mode, or natter.v1: each client joins its room and waits for
   * `joined`, senders send `send` commands, receivers count `message` events.
   * @default {"plain"}
   */
  protocol?: Protocol;
  /**
   * Rooms the clients are spread over, evenly; one room is the default room
   * (`lobby`, at `/ws` in plain mode).
   * @default {1}
   */
  rooms?: number;
}

/** A pool of load threads, each holding a share of the connections. */
export class LoadPool {
  readonly #workers: Worker[];

  /** Starts `count` threads. */
  constructor(count: number) {
    this.#workers = Array.from(
      { length: count },
      () =>
        new Worker(new URL("./load_worker.ts", import.meta.url), {
          type: "module",
        }),
    );
  }

  /** Sends `request` to worker `i` and waits for its answer. */
  ask(i: number, request: WorkerRequest): Promise<Record<string, unknown>> {
    const worker = this.#workers[i];
    return new Promise((resolve) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.postMessage(request);
    });
  }

  /** Asks every worker, in parallel. */
  all(
    request: (i: number) => WorkerRequest | undefined,
  ): Promise<Record<string, unknown>[]> {
    return Promise.all(this.#workers.map((_, i) => {
      const r = request(i);
      return r ? this.ask(i, r) : Promise.resolve({});
    }));
  }

  /** Every worker's counts. */
  async reports(): Promise<WorkerReport[]> {
    const answers = await this.all(() => ({ type: "report" }));
    return answers.map((a) => a.report as WorkerReport);
  }

  /** Ends the threads. */
  terminate(): void {
    for (const worker of this.#workers) worker.terminate();
  }

  get size(): number {
    return this.#workers.length;
  }
}

/** Splits `total` into `parts` near-equal shares. */
export function shares(total: number, parts: number): number[] {
  return Array.from(
    { length: parts },
    (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0),
  );
}

/** Adds up the workers' counts. */
export function combine(reports: WorkerReport[]) {
  const latency = new Histogram();
  const handshake = new Histogram();
  const sum = (key: keyof WorkerReport) =>
    reports.reduce((n, r) => n + (r[key] as number), 0);
  const failed: Record<string, number> = {};
  const disconnects: Record<string, number> = {};
  for (const r of reports) {
    latency.merge(new Histogram(r.latency, r.latencyMax));
    handshake.merge(new Histogram(r.handshake, r.handshakeMax));
    for (const [k, v] of Object.entries(r.failed)) {
      failed[k] = (failed[k] ?? 0) + v;
    }
    for (const [k, v] of Object.entries(r.disconnects)) {
      disconnects[k] = (disconnects[k] ?? 0) + v;
    }
  }
  const firsts = reports.map((r) => r.firstSend).filter((t) => t > 0);
  // Each message is owed to every member of its room, the sender included.
  let expected = 0;
  const rooms = reports[0]?.openPerRoom.length ?? 0;
  for (let room = 0; room < rooms; room++) {
    let open = 0;
    let sent = 0;
    for (const r of reports) {
      open += r.openPerRoom[room];
      sent += r.sentPerRoom[room];
    }
    expected += open * sent;
  }
  return {
    expected,
    connected: sum("connected"),
    open: sum("open"),
    delivered: sum("delivered"),
    frames: sum("frames"),
    duplicates: sum("duplicates"),
    outOfOrder: sum("outOfOrder"),
    sent: sum("sent"),
    firstSend: firsts.length ? Math.min(...firsts) : 0,
    lastDelivery: Math.max(...reports.map((r) => r.lastDelivery)),
    failed,
    disconnects,
    latency,
    handshake,
  };
}

/** Runs one broadcast step and reports it as chatbench's `broadcast` does. */
export async function broadcast(options: BroadcastOptions) {
  const { clients, senders, rate, size, duration, drain } = options;
  const protocol = options.protocol ?? "plain";
  const rooms = options.rooms ?? 1;
  if (senders > clients || Math.ceil(senders / rooms) > 64) {
    throw new RangeError(
      `Cannot have "${senders}" senders among "${clients}" clients (64 a room at most)`,
    );
  }
  if (rooms > clients) {
    throw new RangeError(
      `Cannot spread "${clients}" clients over "${rooms}" rooms`,
    );
  }
  const pool = new LoadPool(Math.min(options.workers, clients));
  const run = Math.random().toString(36).slice(2, 8);
  try {
    const counts = shares(clients, pool.size);
    // One epoch for every thread: a message is timed by whichever receives it.
    const epoch = now();
    await pool.all((i) => ({
      type: "connect",
      url: options.url,
      count: counts[i],
      par: Math.ceil((options.par ?? 50) / pool.size),
      run,
      epoch,
      protocol,
      rooms,
      first: i,
      stride: pool.size,
    }));
    // Sender k is connection k: spread over the workers like the receivers.
    const mine = (i: number) => {
      const ids: number[] = [];
      for (let k = i; k < senders; k += pool.size) ids.push(k);
      return ids;
    };
    const server = options.pid ? new ProcessWatch(options.pid) : undefined;
    const self = new ProcessWatch("self");
    await pool.all((i) => {
      const ids = mine(i);
      if (ids.length === 0) return undefined;
      const local = ids.map((k) => Math.floor(k / pool.size));
      return {
        type: "send",
        senders: local,
        ids,
        rate,
        size,
        ms: duration,
        protocol,
      };
    });
    const sendEnded = performance.now();
    let total = combine(await pool.reports());
    while (
      total.delivered < total.expected &&
      performance.now() - sendEnded < drain
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      total = combine(await pool.reports());
    }
    const generator = self.stop();
    const serverStats = server?.stop();
    const expected = total.expected;
    const span = (total.lastDelivery - total.firstSend) / 1000;
    return {
      protocol,
      rooms,
      offered_msgs_per_s: senders * rate,
      sent_msgs_per_s: Math.round(total.sent / (duration / 1000)),
      sent: total.sent,
      receivers_connected_at_end: total.open,
      expected_deliveries: expected,
      delivered: total.delivered,
      lost: Math.max(0, expected - total.delivered),
      delivery_ratio: expected
        ? Math.round((total.delivered / expected) * 1e6) / 1e6
        : 0,
      duplicates: total.duplicates,
      out_of_order: total.outOfOrder,
      deliveries_per_s: span > 0 ? Math.round(total.delivered / span) : 0,
      msgs_per_frame: total.frames
        ? Math.round((total.delivered / total.frames) * 1000) / 1000
        : 0,
      latency: total.latency.summary(),
      connect: {
        attempted: clients,
        connected: total.connected,
        failed: total.failed,
        handshake: total.handshake.summary(),
      },
      disconnects: {
        count: Object.values(total.disconnects).reduce((a, b) => a + b, 0),
        ...total.disconnects,
      },
      server: serverStats ? { pid: options.pid, ...serverStats } : null,
      generator: {
        cpu_s: generator.cpu_s,
        cpu_pct: generator.cpu_pct,
        workers: pool.size,
      },
    };
  } finally {
    await pool.all(() => ({ type: "close" }));
    pool.terminate();
  }
}
