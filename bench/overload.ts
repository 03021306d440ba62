/**
 * Sustained overload: senders offer a multiple of what the server can fan
 * out, for a while, to many readers that keep up.
 *
 * First the server's capacity C is measured: the senders offer more each
 * step (x1.5 a step of `calibrate` ms), and C is the most messages a second
 * every reader got in a step, once a step no longer got through whole. (Flat
 * out would measure less: reading a flood takes the CPU fanning out needs.)
 * Then they offer `factor` times C, paced, for `duration`; a sender the
 * server closes connects again at once and goes on, as natter's page would. The readers
 * read everything but parse nothing, so that they keep up at little cost;
 * a few checkers parse every message and check that each sender's messages
 * arrive complete and in order, and that all of them get the same.
 *
 * @module
 */

import { now } from "./open.ts";
import { ProcessWatch } from "./proc.ts";
import { Tally } from "./tally.ts";
import {
  type CloseInfo,
  encodeFrame,
  Opcode,
  rawHandshake,
  type RawWebSocket,
} from "../test_util/raw_ws.ts";

/** Settings of an overload run. */
export interface OverloadOptions {
  url: string;
  /** Readers that read everything and parse nothing. */
  readers: number;
  /** Senders; each reconnects when the server closes it. */
  senders: number;
  /**
   * Milliseconds of each step of the ramp that measures the capacity; 0
   * measures nothing, for a `factor` of Infinity.
   */
  calibrate: number;
  /**
   * What the senders offer, as a multiple of the capacity; Infinity: as fast
   * as natter reads them.
   */
  factor: number;
  /** Milliseconds of overload. */
  duration: number;
  /** Readers that check every message. */
  checkers?: number;
  /** The server's PID, for its CPU and memory. */
  pid?: number;
}

/** One connection of a sender: what it sent and how it ended. */
interface Connection {
  id: string;
  sent: number;
  close?: CloseInfo;
}

const encoder = new TextEncoder();

/** A sender that sends `ID SEQ` messages and reconnects when closed. */
class Sender {
  readonly connections: Connection[] = [];
  readonly #addr: { hostname: string; port: number };
  readonly #name: string;
  #conn?: RawWebSocket;
  #current?: Connection;
  /** Every connection not closed yet, the current one and those ending. */
  readonly #open = new Set<RawWebSocket>();

  constructor(addr: { hostname: string; port: number }, name: string) {
    this.#addr = addr;
    this.#name = name;
  }

  /** Messages sent over every connection so far. */
  get sent(): number {
    return this.connections.reduce((n, c) => n + c.sent, 0);
  }

  /**
   * Sends `rate` messages a second (Infinity: as fast as the server reads)
   * until `until`, reconnecting whenever the server closed the connection.
   */
  async run(rate: number, until: number): Promise<void> {
    const start = now();
    let sent = 0;
    while (now() < until) {
      if (!this.#current || this.#current.close) await this.#connect();
      const connection = this.#current!;
      const due = rate === Infinity
        ? 200
        : Math.min(2000, Math.floor((rate * (now() - start)) / 1000) - sent);
      if (due <= 0) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      const frames = Array.from({ length: due }, (_, i) =>
        encodeFrame(
          Opcode.Text,
          encoder.encode(`${connection.id} ${connection.sent + i}`),
          true,
          true,
        ));
      const written = await this.#conn!.sendRaw(join(frames)).then(
        () => true,
        () => false,
      );
      if (written) {
        connection.sent += due;
        sent += due;
      } else {
        // Closed under it; why comes with its close frame, still to be read.
        this.#current = undefined;
      }
    }
  }

  async #connect(): Promise<void> {
    // The previous connection is left to read up to its close frame, which
    // says why it ended; it is closed then.
    const { conn } = await rawHandshake(this.#addr);
    if (!conn) throw new Error("A sender could not connect");
    const connection: Connection = {
      id: `${this.#name}.${this.connections.length}`,
      sent: 0,
    };
    this.connections.push(connection);
    this.#conn = conn;
    this.#current = connection;
    this.#open.add(conn);
    conn.readClose().then(
      (close) => connection.close ??= close,
      () => connection.close ??= { code: null, reason: "no close frame" },
    ).finally(() => {
      conn.abort();
      this.#open.delete(conn);
    });
  }

  /** Closes the current connection. */
  stop(): void {
    if (this.#current) {
      this.#current.close ??= { code: null, reason: "closed by the generator" };
    }
    for (const conn of this.#open) conn.abort();
  }
}

function join(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

/** Whether natter closed `c` for sending too fast. */
const refused = (c: Connection) =>
  c.close?.code === 1008 && c.close.reason === "sending too fast";

/**
 * Whether `c` ended without a close frame. natter's close for sending too
 * fast reaches a sender that stops sending; one that goes on sending through
 * it gets its connection reset instead: Deno 2.9 drops a closing WebSocket
 * when a data frame arrives, and the kernel discards the close frame still
 * queued with it. Such a connection was refused too, but cannot be told.
 */
const reset = (c: Connection) => c.close?.reason === "no close frame";

/**
 * Waits until `checker` has every message of every connection the server
 * did not refuse: what it kept has all been fanned out.
 */
function settle(checker: Tally, connections: Connection[]): Promise<void> {
  const owed = () =>
    connections.filter((c) =>
      !refused(c) && !reset(c) && (checker.counts.get(c.id) ?? 0) < c.sent
    );
  return checker.until(() => owed().length === 0, "every message kept")
    .catch((error) => {
      const which = owed().map((c) =>
        `${c.id}: ${checker.counts.get(c.id) ?? 0} of ${c.sent}, ` +
        (c.close ? `closed ${c.close.code} ${c.close.reason}` : "open")
      );
      throw new Error(`${error.message} (${which.join("; ")})`);
    });
}

/** Runs the overload scenario and reports it. */
export async function overload(options: OverloadOptions) {
  const target = new URL(options.url);
  const addr = { hostname: target.hostname, port: Number(target.port) };
  const readers = await Promise.all(
    Array.from(
      { length: options.readers },
      async () => (await rawHandshake(addr)).conn!,
    ),
  );
  let readersClosed = 0;
  for (const reader of readers) {
    reader.discardAll().catch(() => 0).finally(() => readersClosed++);
  }
  const checkers = await Tally.open(options.url, options.checkers ?? 3);
  const senders = Array.from(
    { length: options.senders },
    (_, k) => new Sender(addr, `s${k}`),
  );
  const all = () => senders.flatMap((s) => s.connections);
  const [checker] = checkers;
  try {
    await Tally.sync(checkers, checker, "ready");
    // The capacity: more each step, until the server falls behind (what it
    // owes the readers passes half a second's worth) two steps running, or
    // refuses a sender. A step that falls behind is run again at the same
    // rate: on a shared machine one step can fall behind for other reasons.
    let capacity = 0;
    const sentNow = () => senders.reduce((n, s) => n + s.sent, 0);
    const ended = () => all().filter((c) => refused(c) || reset(c)).length;
    const [sent0, got0] = [sentNow(), checker.total];
    let behindSteps = 0;
    for (
      let rate = 1000, step = 0;
      options.calibrate > 0 && step < 40;
      step++
    ) {
      const [t0, c0, ended0] = [now(), checker.total, ended()];
      await Promise.all(
        senders.map((s) =>
          s.run(rate / senders.length, t0 + options.calibrate)
        ),
      );
      const got = ((checker.total - c0) / (now() - t0)) * 1000;
      capacity = Math.max(capacity, got);
      if (ended() > ended0) break;
      const behind = sentNow() - sent0 - (checker.total - got0);
      if (behind <= rate / 2) {
        behindSteps = 0;
        rate *= 1.5;
      } else if (++behindSteps === 2) break;
    }
    await settle(checker, all());

    const offered = options.factor === Infinity
      ? Infinity
      : options.factor * capacity;
    const server = options.pid ? new ProcessWatch(options.pid) : undefined;
    const before = {
      sent: senders.reduce((n, s) => n + s.sent, 0),
      delivered: checker.total,
      refused: all().filter(refused).length,
      reset: all().filter(reset).length,
      at: now(),
    };
    await Promise.all(
      senders.map((s) =>
        s.run(offered / options.senders, before.at + options.duration)
      ),
    );
    const seconds = (now() - before.at) / 1000;
    const sent = senders.reduce((n, s) => n + s.sent, 0) - before.sent;
    const delivered = checker.total - before.delivered;
    await settle(checker, all());
    for (const sender of senders) sender.stop();
    // A last message behind all of it: every checker has everything then.
    await Tally.sync(checkers, checker, "done");
    const stats = server?.stop();
    const connections = all();
    let lost = 0;
    let tail = 0;
    for (const c of connections) {
      const got = checker.counts.get(c.id) ?? 0;
      if (refused(c) || reset(c)) tail += Math.max(0, c.sent - got);
      else lost += Math.max(0, c.sent - got);
    }
    const reasons: Record<string, number> = {};
    for (const c of connections.filter((c) => c.close)) {
      const key = `${c.close!.code} ${c.close!.reason}`;
      reasons[key] = (reasons[key] ?? 0) + 1;
    }
    return {
      readers: readers.length + checkers.length,
      senders: senders.length,
      capacity_msgs_per_s: Math.round(capacity),
      offered_msgs_per_s: Math.round(offered),
      sent_msgs_per_s: Math.round(sent / seconds),
      delivered_msgs_per_s: Math.round(delivered / seconds),
      sender_connections: connections.length,
      refused_during_run: connections.filter(refused).length - before.refused,
      reset_during_run: connections.filter(reset).length - before.reset,
      closes: reasons,
      readers_closed: readersClosed +
        checkers.filter((t) => t.socket.readyState !== WebSocket.OPEN).length,
      lost_accepted: lost + checkers.reduce((n, t) => n + t.gaps, 0),
      refused_unsent: tail,
      checkers_agree: checkers.every((t) =>
        t.counts.size === checker.counts.size &&
        [...checker.counts].every(([id, n]) => t.counts.get(id) === n)
      ),
      server: stats ? { pid: options.pid, ...stats } : null,
    };
  } finally {
    for (const sender of senders) sender.stop();
    for (const t of checkers) t.socket.close();
    for (const reader of readers) reader.abort();
  }
}
