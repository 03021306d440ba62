/**
 * Bursts and sustained overload against natter run as a process: a burst is
 * absorbed without closing anyone; under overload, readers stay connected,
 * memory stays bounded, and the senders above their share are told so.
 *
 * @module
 */

import assert from "node:assert/strict";
import { rssKiB } from "./bench/proc.ts";
import { deadline } from "./test_util/natter.ts";
import { MAIN, NatterProcess, startFlags } from "./test_util/process.ts";
import {
  type CloseInfo,
  encodeFrame,
  Opcode,
  rawHandshake,
} from "./test_util/raw_ws.ts";

/** natter as `deno task start` runs it. */
function startNatter() {
  return NatterProcess.start(Deno.execPath(), ["run", ...startFlags(), MAIN]);
}

/**
 * A reader that counts what it receives and checks that each sender's
 * messages (`ID SEQ`, or `ID` alone) arrive complete and in order, without
 * keeping them.
 */
class Tally {
  readonly socket: WebSocket;
  /** Messages received from each sender id. */
  readonly counts = new Map<string, number>();
  /** Messages out of sequence: any is a loss. */
  gaps = 0;
  total = 0;
  frames = 0;
  #waiters = new Set<() => void>();
  readonly opened: Promise<void>;
  readonly closed: Promise<CloseEvent>;

  /** With `parse` false it only counts frames, as cheaply as it can. */
  constructor(url: string, parse = true) {
    this.socket = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.socket.onopen = () => resolve();
      this.socket.onerror = () => reject(new Error("Cannot connect"));
    });
    this.closed = new Promise((resolve) => {
      this.socket.onclose = (event) => {
        this.#notify();
        resolve(event);
      };
    });
    this.socket.onmessage = parse
      ? (event) => this.#count(event.data as string)
      : () => void this.frames++;
  }

  #count(frame: string): void {
    let start = 0;
    for (;;) {
      const end = frame.indexOf("\n", start);
      const message = frame.slice(start, end === -1 ? undefined : end);
      const space = message.indexOf(" ");
      const id = space === -1 ? message : message.slice(0, space);
      const seen = this.counts.get(id) ?? 0;
      if (space !== -1 && Number(message.slice(space + 1)) !== seen) {
        this.gaps++;
      }
      this.counts.set(id, seen + 1);
      this.total++;
      if (end === -1) break;
      start = end + 1;
    }
    this.#notify();
  }

  /** Waits until `done()` holds, failing if the socket closes first. */
  until(done: () => boolean, what: string): Promise<void> {
    return deadline(
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (done()) resolve();
          else if (this.socket.readyState === WebSocket.CLOSED) {
            reject(new Error(`Closed while waiting for ${what}`));
          } else return;
          this.#waiters.delete(check);
        };
        this.#waiters.add(check);
        check();
      }),
      what,
      60_000,
    );
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** Opens `count` tallies to `url` and waits until all are open. */
async function tallies(
  url: string,
  count: number,
  parse = true,
): Promise<Tally[]> {
  const all = Array.from({ length: count }, () => new Tally(url, parse));
  await deadline(Promise.all(all.map((t) => t.opened)), `${count} to open`);
  return all;
}

/** Waits until every tally has received `id` once: all are registered. */
async function sync(all: Tally[], sender: Tally, id: string): Promise<void> {
  sender.socket.send(id);
  await Promise.all(
    all.map((t) => t.until(() => t.counts.has(id), `"${id}"`)),
  );
}

Deno.test("natter takes a burst of 20,000 messages from 5 senders after a pause, closing no one", async () => {
  await using natter = await startNatter();
  const url = NatterProcess.wsUrl(natter.url);
  const readers = await tallies(url, 100);
  const senders = await tallies(url, 5);
  const everyone = [...readers, ...senders];
  try {
    await sync(everyone, senders[0], "ready");
    // The pause: nothing for a second, then everything at once.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    senders.forEach((s, k) => {
      for (let n = 0; n < 4000; n++) s.socket.send(`s${k} ${n}`);
    });
    const all = 20_000 + 1;
    await Promise.all(
      everyone.map((t, i) => t.until(() => t.total >= all, `all at ${i}`)),
    );
    for (const t of everyone) {
      assert.equal(t.socket.readyState, WebSocket.OPEN);
      assert.equal(t.gaps, 0);
      for (let k = 0; k < 5; k++) assert.equal(t.counts.get(`s${k}`), 4000);
    }
    assert.ok(
      !natter.stderr.lines.some((l) => /sending too fast/.test(l)),
      natter.stderr.text,
    );
  } finally {
    for (const t of everyone) t.socket.close();
  }
});

/** One connection of a flooding sender: what it sent and how it ended. */
interface Flood {
  id: string;
  sent: number;
  close?: CloseInfo;
}

/**
 * Sends as fast as the server reads, `ID SEQ` messages in writes of 200
 * frames, until `until` (ms since the epoch); a connection the server closes
 * is replaced by a new one, as natter's page would reconnect.
 */
async function flood(
  addr: { hostname: string; port: number },
  name: string,
  until: number,
): Promise<Flood[]> {
  const encoder = new TextEncoder();
  const connections: Flood[] = [];
  while (Date.now() < until) {
    const { conn } = await rawHandshake(addr);
    const record: Flood = { id: `${name}.${connections.length}`, sent: 0 };
    connections.push(record);
    conn!.readClose().then(
      (close) => record.close = close,
      () => record.close = { code: null, reason: "no close frame" },
    );
    while (!record.close && Date.now() < until) {
      const frames = Array.from(
        { length: 200 },
        (_, i) =>
          encodeFrame(
            Opcode.Text,
            encoder.encode(`${record.id} ${record.sent + i}`),
            true,
            true,
          ),
      );
      const ok = await conn!.sendRaw(join(frames)).then(
        () => true,
        () => false,
      );
      if (ok) record.sent += frames.length;
    }
    if (record.close) conn!.abort();
  }
  return connections;
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

Deno.test("natter under sustained overload keeps its readers, bounds its memory and tells the senders above their share", async () => {
  await using natter = await startNatter();
  const url = NatterProcess.wsUrl(natter.url);
  const addr = { hostname: "127.0.0.1", port: Number(natter.url.port) };
  // Many readers make every message cost the server many sends; they read
  // all of it but parse none, so they keep up at little cost to this test.
  // Three more check every message.
  const load = await Promise.all(
    Array.from({ length: 500 }, async () => (await rawHandshake(addr)).conn!),
  );
  const drained = load.map((conn) => conn.discardAll());
  let loadClosed = 0;
  for (const d of drained) d.then(() => loadClosed++, () => loadClosed++);
  const checkers = await tallies(url, 3);
  try {
    await sync(checkers, checkers[0], "ready");
    const pid = natter.child.pid;
    const before = rssKiB(pid);
    let peak = before;
    const sampler = setInterval(() => peak = Math.max(peak, rssKiB(pid)), 100);
    const until = Date.now() + 4000;
    const floods = (await Promise.all(
      Array.from({ length: 5 }, (_, k) => flood(addr, `s${k}`, until)),
    )).flat();
    clearInterval(sampler);
    // Everything natter kept reaches every reader: each connection's
    // messages, or, for one it closed, the part it kept.
    await Promise.all(checkers.map((t) =>
      t.until(
        () => floods.every((f) => f.close || t.counts.get(f.id) === f.sent),
        "every message kept",
      )
    ));
    // A last message behind all of it: once every checker has it, each has
    // everything natter delivered before it.
    await sync(checkers, checkers[0], "done");
    assert.equal(loadClosed, 0, "a reader was closed");
    for (const t of checkers) {
      assert.equal(t.socket.readyState, WebSocket.OPEN, "a reader was closed");
    }
    for (const t of checkers) {
      assert.equal(t.gaps, 0);
      assert.deepEqual(t.counts, checkers[0].counts);
    }
    // The policy, as the senders see it: those closed were told why.
    const closed = floods.filter((f) => f.close);
    assert.ok(closed.length > 0, "no sender was told to slow down");
    for (const f of closed) {
      assert.deepEqual(f.close, { code: 1008, reason: "sending too fast" });
      assert.ok((checkers[0].counts.get(f.id) ?? 0) <= f.sent);
    }
    // It was overload: at least twice what natter could fan out was offered.
    const offered = floods.reduce((n, f) => n + f.sent, 0);
    const delivered = checkers[0].total;
    assert.ok(
      offered >= 2 * delivered,
      `${offered} offered, ${delivered} kept`,
    );
    const grew = (peak - before) / 1024;
    assert.ok(grew < 96, `RSS grew ${grew.toFixed(1)} MiB`);
    console.log(
      `overload: ${offered} offered, ${delivered} delivered to each of ` +
        `${load.length + checkers.length} readers, ${closed.length} ` +
        "sender connections " +
        `closed, RSS +${grew.toFixed(1)} MiB`,
    );
  } finally {
    for (const t of checkers) t.socket.close();
    for (const conn of load) conn.abort();
  }
});
