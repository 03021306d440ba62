/**
 * A load-generator thread: opens its share of the connections, sends from
 * the senders it was given, and counts what every connection receives.
 * Per message it does a few `indexOf`s and one histogram update, so a
 * thread keeps up with millions of deliveries per second.
 *
 * It speaks plain mode or natter.v1 (docs/protocol.md), in one room or spread
 * over several: connection `g` (counted over every thread) is in room
 * `g % rooms`, so sender `k` is in room `k % rooms`.
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
    /** `plain` or `natter.v1`. */
    protocol: Protocol;
    /** Rooms the connections are spread over. */
    rooms: number;
    /** This thread's connection `i` is connection `first + i * stride`. */
    first: number;
    stride: number;
  }
  | {
    type: "send";
    senders: number[];
    ids: number[];
    rate: number;
    size: number;
    ms: number;
    protocol: Protocol;
  }
  | { type: "report" }
  | { type: "close" };

/** The protocols the generator speaks. */
export type Protocol = "plain" | "natter.v1";

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
  /** Connections open (and, in natter.v1, joined) now, per room. */
  openPerRoom: Float64Array;
  /** Messages sent, per room. */
  sentPerRoom: Float64Array;
}

const MAX_SENDERS = 64;
const scope = self as unknown as {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
};

let sockets: WebSocket[] = [];
let lastSeq = new Float64Array(0);
let runPrefix = " ";
/** What precedes a message of this run in a natter.v1 frame. */
let textPrefix = " ";
let epoch = 0;
let rooms = 1;
let openPerRoom = new Float64Array(1);
let sentPerRoom = new Float64Array(1);
const latency = new Histogram();
const handshake = new Histogram();
const report: Omit<
  WorkerReport,
  | "latency"
  | "handshake"
  | "latencyMax"
  | "handshakeMax"
  | "openPerRoom"
  | "sentPerRoom"
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
      if (sentAt >= 0) count(index, sender, seq, atMicros - sentAt);
    }
    const end = data.indexOf("\n", start);
    if (end === -1) break;
    start = end + 1;
  }
}

/** Counts one delivery of message `seq` from `sender`, `micros` late. */
function count(index: number, sender: number, seq: number, micros: number) {
  // A connection hears only its room's senders: sender k is the room's
  // (k / rooms)th, so a room holds at most MAX_SENDERS of them.
  const local = rooms === 1 ? sender : Math.floor(sender / rooms);
  if (local >= MAX_SENDERS) return;
  report.delivered++;
  latency.record(micros);
  const slot = index * MAX_SENDERS + local;
  const last = lastSeq[slot];
  if (seq === last) report.duplicates++;
  else if (seq < last) report.outOfOrder++;
  else lastSeq[slot] = seq;
}

/**
 * Counts one natter.v1 frame (a JSON array of events, S3) received by
 * connection `index`: every `message` event of this run, and nothing else.
 *
 * It scans rather than parses. A message event is serialised as
 * `{"type":"message",...,"text":"RUN SENDER SEQ SENT_MICROS|padding",...}`
 * and this run's texts need no escaping, so `"text":"RUN ` marks each one:
 * inside a JSON string a quote is always escaped, so that sequence occurs
 * only where a `text` key begins. `ack`, `presence` and `joined` carry no
 * `text` of this run: `joined` replays history from before the run began,
 * since every connection has joined before the first send.
 */
export function receiveStructured(index: number, data: string): void {
  const prefix = textPrefix;
  let start = data.indexOf(prefix);
  if (start === -1) return;
  const at = now();
  const atMicros = (at - epoch) * 1000;
  report.frames++;
  report.lastDelivery = at;
  while (start !== -1) {
    const sender = digits(data, start + prefix.length, 32);
    const seq = sender < 0 ? -1 : digits(data, cursor, 32);
    const sentAt = seq < 0 ? -1 : digits(data, cursor, 124);
    if (sentAt >= 0) count(index, sender, seq, atMicros - sentAt);
    start = data.indexOf(prefix, start + prefix.length);
  }
}

/**
 * Sets up the counting of run `run`, timed from `epoch`, over `connections`
 * connections spread over `roomCount` rooms; `receive` and
 * `receiveStructured` need it first.
 */
export function prepare(
  run: string,
  start: number,
  connections: number,
  roomCount = 1,
) {
  runPrefix = `${run} `;
  textPrefix = `"text":"${run} `;
  epoch = start;
  rooms = roomCount;
  lastSeq = new Float64Array(connections * MAX_SENDERS).fill(-1);
  openPerRoom = new Float64Array(roomCount);
  sentPerRoom = new Float64Array(roomCount);
}

/** The name of room `r` of `count`: the default room when there is one. */
export function roomName(r: number, count: number): string {
  return count === 1 ? "lobby" : `bench-${r}`;
}

/**
 * Whether a natter.v1 frame answers a join: `true` for `joined`, an error
 * code for an `error` (the join was refused), `false` for anything else,
 * such as the presence of those who joined earlier.
 */
export function joinReply(data: string): boolean | string {
  if (data.startsWith('[{"type":"joined"')) return true;
  if (!data.startsWith('[{"type":"error"')) return false;
  const code = /"code":"([a-z_]+)"/.exec(data);
  return code ? code[1] : "error";
}

/** How many messages `receive` has counted so far. */
export const delivered = (): number => report.delivered;

let roomOf: (index: number) => number = () => 0;

/**
 * Opens this thread's connections. A natter.v1 connection then joins its
 * room and counts as open only once `joined` came back: the step starts
 * with every member in its room.
 */
async function connect(
  request: Extract<WorkerRequest, { type: "connect" }>,
): Promise<void> {
  const { url, count, par, protocol, first, stride } = request;
  sockets = [];
  roomOf = (index) => (first + index * stride) % rooms;
  const structured = protocol === "natter.v1";
  // Several nodes (comma-separated URLs) take the connections in turn, by
  // their index over every thread, so a room's members are split evenly.
  const urls = url.split(",");
  const node = (index: number) => urls[(first + index * stride) % urls.length];
  // Plain mode chooses the room by path (R2): /ws is the default room.
  const address = structured || rooms === 1
    ? node
    : (index: number) => `${node(index)}/${roomName(roomOf(index), rooms)}`;
  let pending = 0;
  const joined = (room: number) => {
    report.open++;
    openPerRoom[room]++;
    pending--;
  };
  const refused = (reason: string) => {
    report.failed[reason] = (report.failed[reason] ?? 0) + 1;
    pending--;
  };
  await openSockets(address, count, par, { handshake, failed: report.failed }, (
    socket,
    index,
  ) => {
    const room = roomOf(index);
    let member = !structured;
    report.connected++;
    socket.onclose = (event) => {
      if (member) {
        report.open--;
        openPerRoom[room]--;
      } else if (structured) refused("closed before joined");
      const key = String(event.code);
      report.disconnects[key] = (report.disconnects[key] ?? 0) + 1;
    };
    sockets[index] = socket;
    if (!structured) {
      report.open++;
      openPerRoom[room]++;
      socket.onmessage = (event) => receive(index, event.data);
      return;
    }
    pending++;
    socket.onmessage = (event) => {
      const reply = joinReply(event.data);
      if (reply === false) return;
      socket.onmessage = (event) => receiveStructured(index, event.data);
      if (reply === true) {
        member = true;
        return joined(room);
      }
      socket.onclose = null;
      socket.close();
      refused(`join: ${reply}`);
    };
    socket.send(JSON.stringify({
      type: "join",
      room: roomName(room, rooms),
      nick: `b${first + index * stride}`,
    }));
  }, structured ? "natter.v1" : undefined);
  // A join the server never answers must not hang the run.
  const deadline = now() + 30_000;
  while (pending > 0 && now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Sends `rate` msgs/s from each of `senders` for `ms`, paced every ms: the
 * text alone in plain mode, a `send` command of it in natter.v1 (C3).
 */
async function send(request: Extract<WorkerRequest, { type: "send" }>) {
  const { senders, ids, rate, size, ms, protocol } = request;
  const pad = "x".repeat(size);
  const sent = senders.map(() => 0);
  const room = senders.map((index) => roomOf(index));
  // The text needs no escaping, so the command is spliced around it.
  const before = room.map((r) =>
    protocol === "natter.v1"
      ? `{"type":"send","room":"${roomName(r, rooms)}","text":"`
      : ""
  );
  const after = protocol === "natter.v1" ? '"}' : "";
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
          const text = head + pad.slice(0, Math.max(0, size - head.length));
          socket.send(before[i] + text + after);
          report.sent++;
          sentPerRoom[room[i]]++;
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
      prepare(request.run, request.epoch, request.count, request.rooms);
      await connect(request);
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
          openPerRoom,
          sentPerRoom,
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
