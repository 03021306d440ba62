/**
 * A load-generator thread: opens its share of the connections, sends from
 * the senders it was given, and counts what every connection receives.
 * Per message it does a few `indexOf`s and one histogram update, so a
 * thread keeps up with millions of deliveries per second.
 *
 * @module
 */

import { Histogram } from "./histogram.ts";
import { now, openSockets } from "./open.ts";

/** What the main thread asks of a load worker. */
export type WorkerRequest =
  | {
    type: "connect";
    url: string;
    count: number;
    par: number;
    run: string;
    /** The run's start, {@linkcode now}: send times are µs after it. */
    epoch: number;
  }
  | {
    type: "send";
    senders: number[];
    ids: number[];
    rate: number;
    size: number;
    ms: number;
  }
  | { type: "report" }
  | { type: "close" };

/** A worker's counts, sent back on "report". */
export interface WorkerReport {
  connected: number;
  failed: Record<string, number>;
  open: number;
  delivered: number;
  frames: number;
  duplicates: number;
  outOfOrder: number;
  firstSend: number;
  lastDelivery: number;
  sent: number;
  latency: Float64Array;
  latencyMax: number;
  handshake: Float64Array;
  handshakeMax: number;
  disconnects: Record<string, number>;
}

const MAX_SENDERS = 64;
const scope = self as unknown as {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
};

let sockets: WebSocket[] = [];
let lastSeq = new Float64Array(0);
let runPrefix = " ";
let epoch = 0;
const latency = new Histogram();
const handshake = new Histogram();
const report: Omit<
  WorkerReport,
  "latency" | "handshake" | "latencyMax" | "handshakeMax"
> = {
  connected: 0,
  failed: {},
  open: 0,
  delivered: 0,
  frames: 0,
  duplicates: 0,
  outOfOrder: 0,
  firstSend: 0,
  lastDelivery: 0,
  sent: 0,
  disconnects: {},
};

/**
 * Reads the decimal digits of `data` from `at` up to the character `stop`.
 * Returns the value, and leaves the index after `stop` in `cursor`; -1 if
 * `stop` never comes or a character is not a digit.
 */
function digits(data: string, at: number, stop: number): number {
  let value = 0;
  for (let i = at; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (c === stop) {
      cursor = i + 1;
      return value;
    }
    if (c < 48 || c > 57) return -1;
    value = value * 10 + c - 48;
  }
  return -1;
}
let cursor = 0;

/**
 * Counts one frame of `data` received by connection `index`. This is the
 * generator's hot path (millions of messages a second on one thread), so it
 * parses with `charCodeAt` and allocates nothing per message.
 */
export function receive(index: number, data: string): void {
  const at = now();
  const atMicros = (at - epoch) * 1000;
  report.frames++;
  report.lastDelivery = at;
  const prefix = runPrefix;
  let start = 0;
  for (;;) {
    // "RUN SENDER SEQ SENT_MICROS|padding"
    if (data.startsWith(prefix, start)) {
      const sender = digits(data, start + prefix.length, 32);
      const seq = sender < 0 ? -1 : digits(data, cursor, 32);
      const sentAt = seq < 0 ? -1 : digits(data, cursor, 124);
      if (sentAt >= 0 && sender < MAX_SENDERS) {
        report.delivered++;
        latency.record(atMicros - sentAt);
        const slot = index * MAX_SENDERS + sender;
        const last = lastSeq[slot];
        if (seq === last) report.duplicates++;
        else if (seq < last) report.outOfOrder++;
        else lastSeq[slot] = seq;
      }
    }
    const end = data.indexOf("\n", start);
    if (end === -1) break;
    start = end + 1;
  }
}

/**
 * Sets up the counting of run `run`, timed from `epoch`, over `connections`
 * connections; `receive` needs it first.
 */
export function prepare(run: string, start: number, connections: number) {
  runPrefix = `${run} `;
  epoch = start;
  lastSeq = new Float64Array(connections * MAX_SENDERS).fill(-1);
}

/** How many messages `receive` has counted so far. */
export const delivered = (): number => report.delivered;

async function connect(url: string, count: number, par: number): Promise<void> {
  sockets = [];
  await openSockets(url, count, par, { handshake, failed: report.failed }, (
    socket,
    index,
  ) => {
    report.connected++;
    report.open++;
    socket.onmessage = (event) => receive(index, event.data);
    socket.onclose = (event) => {
      report.open--;
      const key = String(event.code);
      report.disconnects[key] = (report.disconnects[key] ?? 0) + 1;
    };
    sockets[index] = socket;
  });
}

/** Sends `rate` msgs/s from each of `senders` for `ms`, paced every ms. */
async function send(request: Extract<WorkerRequest, { type: "send" }>) {
  const { senders, ids, rate, size, ms } = request;
  const pad = "x".repeat(size);
  const sent = senders.map(() => 0);
  const start = now();
  report.firstSend ||= start;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const at = now();
      const elapsed = Math.min(at - start, ms);
      senders.forEach((index, i) => {
        const socket = sockets[index];
        const due = Math.floor((rate * elapsed) / 1000);
        for (; sent[i] < due; sent[i]++) {
          if (socket?.readyState !== WebSocket.OPEN) return;
          const micros = Math.round((now() - epoch) * 1000);
          const head = `${runPrefix}${ids[i]} ${sent[i]} ${micros}|`;
          socket.send(head + pad.slice(0, Math.max(0, size - head.length)));
          report.sent++;
        }
      });
      if (at - start >= ms) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
}

scope.onmessage = async ({ data: request }) => {
  switch (request.type) {
    case "connect":
      prepare(request.run, request.epoch, request.count);
      await connect(request.url, request.count, request.par);
      return scope.postMessage({ type: "connected" });
    case "send":
      await send(request);
      return scope.postMessage({ type: "sent" });
    case "report":
      return scope.postMessage({
        type: "report",
        report: {
          ...report,
          latency: latency.counts,
          latencyMax: latency.max,
          handshake: handshake.counts,
          handshakeMax: handshake.max,
        },
      });
    case "close":
      for (const socket of sockets) {
        if (socket) {
          socket.onclose = null;
          socket.close();
        }
      }
      return scope.postMessage({ type: "closed" });
  }
};
