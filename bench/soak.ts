/**
 * The soak: thousands of connections joining and leaving rooms with traffic
 * for minutes, while the server's resident memory, open descriptors and
 * event-loop delay are sampled every second; then every connection closes
 * and the descriptors must come back to where they started.
 *
 * Half the connections are plain, each in a room chosen by its path, and
 * are closed and reopened (churn); the other half speak natter.v1 and move
 * between rooms with `leave` and `join`, and some of them reconnect too.
 * The event-loop delay is seen from outside: once a second a probe
 * connection alone in its own room sends a message and times its echo.
 *
 * @module
 */

import { rssKiB } from "./proc.ts";

/** Options for {@linkcode soak}. */
export interface SoakOptions {
  /** The server's WebSocket URL, for example `ws://127.0.0.1:8080/ws`. */
  url: string;
  /** The server's process id, for its memory and descriptors. */
  pid: number;
  /** Connections kept open. */
  clients: number;
  /** Rooms they spread over. */
  rooms: number;
  /** Milliseconds of churn and traffic. */
  duration: number;
  /** Share of the connections that leave (and come back) each second. */
  churn: number;
  /** Messages a second, over all connections. */
  rate: number;
  /** Concurrent connection attempts. */
  par: number;
  /** Where to print progress. */
  progress?: (line: string) => void;
}

/** One second's sample of the server. */
export interface SoakSample {
  t_s: number;
  rss_kib: number;
  fds: number;
  /** The probe's round trip, or `null` if its echo took over a second. */
  probe_ms: number | null;
  open: number;
}

/** Open descriptors of `pid`. */
export function fdCount(pid: number): number {
  let n = 0;
  for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) n++;
  return n;
}

/** The median of `values`, or NaN. */
function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * The verdict on a run's samples: memory is flat when the last quarter's
 * median RSS is within `tolerance` of the second quarter's (the first is
 * warm-up), and nothing leaked when the descriptors came back to within
 * `slack` of the count before the first connection.
 */
export function verdict(
  samples: readonly SoakSample[],
  fds: { before: number; after: number },
  tolerance = 0.1,
  slack = 2,
) {
  const quarter = (k: number) =>
    samples.slice(
      Math.floor(samples.length * k / 4),
      Math.floor(samples.length * (k + 1) / 4),
    ).map((s) => s.rss_kib);
  const q2 = median(quarter(1));
  const q4 = median(quarter(3));
  const probes = samples.map((s) => s.probe_ms ?? 1000);
  const sorted = [...probes].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))] ?? NaN;
  const memoryFlat = q4 <= q2 * (1 + tolerance);
  const noLeak = fds.after <= fds.before + slack;
  return {
    rss_q2_median_kib: q2,
    rss_q4_median_kib: q4,
    rss_growth_pct: Math.round((q4 / q2 - 1) * 1000) / 10,
    memory_flat: memoryFlat,
    fds_before: fds.before,
    fds_after: fds.after,
    no_fd_leak: noLeak,
    probe_p50_ms: at(0.5),
    probe_p99_ms: at(0.99),
    probe_max_ms: at(1),
    pass: memoryFlat && noLeak,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the soak and reports every sample and the verdict. */
export async function soak(options: SoakOptions) {
  const { url, pid, clients, rooms, duration, churn, rate, par } = options;
  const progress = options.progress ?? (() => {});
  const fdsBefore = fdCount(pid);
  const rssBefore = rssKiB(pid);
  const room = (slot: number) => `soak-${slot % rooms}`;
  const sockets: (WebSocket | undefined)[] = new Array(clients);
  const rooms1 = new Array<number>(clients).fill(0);
  let open = 0, opened = 0, received = 0, sent = 0, errors = 0;

  /** Opens slot `i`: plain in its room (even), or natter.v1 (odd). */
  const connect = (i: number) =>
    new Promise<void>((resolve) => {
      const structured = i % 2 === 1;
      const socket = structured
        ? new WebSocket(url, "natter.v1")
        : new WebSocket(`${url}/${room(i + rooms1[i])}`);
      sockets[i] = socket;
      let wasOpen = false;
      socket.onopen = () => {
        wasOpen = true;
        open++;
        opened++;
        if (structured) {
          socket.send(JSON.stringify({ type: "join", room: room(i) }));
        }
        resolve();
      };
      socket.onmessage = () => received++;
      socket.onerror = () => errors++;
      socket.onclose = () => {
        if (sockets[i] === socket) sockets[i] = undefined;
        if (wasOpen) open--;
        resolve();
      };
    });

  /** Connects `slots`, `par` at a time. */
  const connectAll = async (slots: number[]) => {
    for (let k = 0; k < slots.length; k += par) {
      await Promise.all(slots.slice(k, k + par).map(connect));
    }
  };

  // The probe, alone in a room of its own: its echo's delay is the server's.
  let probeAt = 0, probeMs: number | null = null;
  const probe = new WebSocket(`${url}/soak-probe`);
  probe.onmessage = () => {
    if (probeAt > 0) probeMs = performance.now() - probeAt;
    probeAt = 0;
  };
  await new Promise((resolve) => probe.onopen = resolve);
  progress(`soak: opening ${clients} connections`);
  await connectAll([...Array(clients).keys()]);

  const samples: SoakSample[] = [];
  const t0 = performance.now();
  const perSecond = Math.max(1, Math.round(clients * churn));
  let moved = 0;
  for (let s = 1; performance.now() - t0 < duration; s++) {
    probeMs = null;
    probeAt = performance.now();
    probe.send(`probe ${s}`);
    // Churn: plain connections leave and come back; natter.v1 ones move to
    // another room, and every fourth of them reconnects instead.
    const reopen: number[] = [];
    for (let k = 0; k < perSecond; k++) {
      const i = Math.floor(Math.random() * clients);
      const socket = sockets[i];
      if (!socket || socket.readyState !== WebSocket.OPEN) continue;
      if (i % 2 === 0 || k % 4 === 0) {
        socket.close(1000);
        reopen.push(i);
        continue;
      }
      socket.send(JSON.stringify({ type: "leave", room: room(i + rooms1[i]) }));
      rooms1[i]++;
      socket.send(JSON.stringify({ type: "join", room: room(i + rooms1[i]) }));
      moved++;
    }
    // Traffic, spread over the second.
    const step = Math.max(1, Math.round(rate / 10));
    for (let tenth = 0; tenth < 10; tenth++) {
      for (let k = 0; k < step; k++) {
        const i = Math.floor(Math.random() * clients);
        const socket = sockets[i];
        if (!socket || socket.readyState !== WebSocket.OPEN) continue;
        const text = `soak ${s} ${k} ${"x".repeat(80)}`;
        socket.send(
          i % 2 === 0 ? text : JSON.stringify({
            type: "send",
            room: room(i + rooms1[i]),
            text,
          }),
        );
        sent++;
      }
      await sleep(100);
      if (tenth === 2) connectAll(reopen); // they come back a moment later
    }
    samples.push({
      t_s: s,
      rss_kib: rssKiB(pid),
      fds: fdCount(pid),
      probe_ms: probeMs === null ? null : Math.round(probeMs * 100) / 100,
      open,
    });
    if (s % 10 === 0) {
      const last = samples.at(-1)!;
      progress(
        `soak: ${s}s rss ${last.rss_kib} KiB, fds ${last.fds}, probe ${last.probe_ms} ms, open ${open}, sent ${sent}, received ${received}`,
      );
    }
  }

  progress("soak: closing every connection");
  for (const socket of [...sockets, probe]) socket?.close(1000);
  // The server closes its side once it has seen each close; give it time.
  let fdsAfter = fdCount(pid);
  for (let i = 0; i < 150 && fdsAfter > fdsBefore; i++) {
    await sleep(100);
    fdsAfter = fdCount(pid);
  }
  return {
    clients,
    rooms,
    duration_s: samples.length,
    churn_per_s: perSecond,
    rate,
    connections_opened: opened,
    room_moves: moved,
    sent,
    received,
    errors,
    rss_before_kib: rssBefore,
    rss_after_kib: rssKiB(pid),
    verdict: verdict(samples, { before: fdsBefore, after: fdsAfter }),
    samples,
  };
}
