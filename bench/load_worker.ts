/**
 * A load-generator thread: opens its share of the connections, sends from
 * the senders it was given, and counts what every connection receives.
 * Per message it does a few `indexOf`s and one histogram update, so a
 * thread keeps up with millions of deliveries per second.
 *
 * @module
 */

import { Histogram } from "./histogram.ts";

/** What the main thread asks of a load worker. */
export type WorkerRequest =
  | { type: "connect"; url: string; count: number; par: number; run: string }
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

/** Wall-clock milliseconds with sub-millisecond precision, same in every thread. */
export const now = () => performance.timeOrigin + performance.now();

const MAX_SENDERS = 64;
const scope = self as unknown as {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
};

let sockets: WebSocket[] = [];
let lastSeq = new Float64Array(0);
let run = "";
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

/** Counts one frame of `data` received by connection `index`. */
function receive(index: number, data: string): void {
  const at = now();
  report.frames++;
  report.lastDelivery = at;
  let start = 0;
  for (;;) {
    const end = data.indexOf("\n", start);
    const stop = end === -1 ? data.length : end;
    // "RUN SENDER SEQ SENTMS|padding"
    const a = data.indexOf(" ", start);
    if (a !== -1 && a < stop && data.startsWith(run, start)) {
      const b = data.indexOf(" ", a + 1);
      const c = data.indexOf(" ", b + 1);
      const d = data.indexOf("|", c + 1);
      const sender = +data.slice(a + 1, b);
      const seq = +data.slice(b + 1, c);
      const sentAt = +data.slice(c + 1, d);
      report.delivered++;
      latency.record((at - sentAt) * 1000);
      const slot = index * MAX_SENDERS + sender;
      const last = lastSeq[slot];
      if (seq === last) report.duplicates++;
      else if (seq < last) report.outOfOrder++;
      else lastSeq[slot] = seq;
    }
    if (end === -1) break;
    start = end + 1;
  }
}

async function connect(url: string, count: number, par: number): Promise<void> {
  sockets = [];
  lastSeq = new Float64Array(count * MAX_SENDERS).fill(-1);
  let next = 0;
  const one = async () => {
    while (next < count) {
      const index = next++;
      const started = now();
      const socket = new WebSocket(url);
      const opened = await new Promise<boolean>((resolve) => {
        socket.onopen = () => resolve(true);
        socket.onerror = (event) => {
          const reason = (event as ErrorEvent).message ?? "error";
          report.failed[reason] = (report.failed[reason] ?? 0) + 1;
          resolve(false);
        };
      });
      if (!opened) continue;
      handshake.record((now() - started) * 1000);
      report.connected++;
      report.open++;
      socket.onerror = null;
      socket.onmessage = (event) => receive(index, event.data);
      socket.onclose = (event) => {
        report.open--;
        const key = String(event.code);
        report.disconnects[key] = (report.disconnects[key] ?? 0) + 1;
      };
      sockets[index] = socket;
    }
  };
  await Promise.all(Array.from({ length: par }, one));
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
          const head = `${run} ${ids[i]} ${sent[i]} ${now()}|`;
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
      run = request.run;
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
