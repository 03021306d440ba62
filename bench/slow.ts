/**
 * The stalled reader: a peer that completes the WebSocket handshake and
 * never reads, among normal readers, one of which sends steadily. It reports
 * what the readers got, the server's memory, and from /proc/net/tcp when
 * the server stopped writing to the stalled peer and whether it let go.
 *
 * @module
 */

import { rawHandshake, type RawWebSocket } from "../test_util/raw_ws.ts";
import { broadcast } from "./broadcast.ts";

/** Settings of a stalled-reader run. */
export interface SlowOptions {
  url: string;
  clients: number;
  rate: number;
  size: number;
  duration: number;
  workers: number;
  pid?: number;
}

/** One TCP connection as /proc/net/tcp shows it. */
interface TcpRow {
  state: string;
  sendQ: number;
}

/** Finds the socket from local port `local` to remote port `remote`. */
function tcpRow(local: number, remote: number): TcpRow | undefined {
  const hex = (port: number) =>
    port.toString(16).toUpperCase().padStart(4, "0");
  for (
    const line of Deno.readTextFileSync("/proc/net/tcp").split("\n").slice(1)
  ) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    if (f[1].endsWith(`:${hex(local)}`) && f[2].endsWith(`:${hex(remote)}`)) {
      return { state: f[3], sendQ: parseInt(f[4].split(":")[0], 16) };
    }
  }
  return undefined;
}

/** Opens a WebSocket by hand: after the 101 response nothing reads it. */
async function stalledPeer(url: string): Promise<RawWebSocket> {
  const target = new URL(url);
  const { status, conn } = await rawHandshake(
    { hostname: target.hostname, port: Number(target.port) },
    { path: target.pathname },
  );
  if (!conn) throw new Error(`Handshake refused: ${status}`);
  return conn;
}

/** What the server did with the stalled peer, in a few words. */
function verdict(
  releasedAt: number | null,
  grewUntil: number | null,
  seconds: number,
): string {
  if (releasedAt !== null) {
    return `server released the connection after ${releasedAt.toFixed(1)} s`;
  }
  if (grewUntil !== null && grewUntil < seconds) {
    return `server stopped writing after ${
      grewUntil.toFixed(1)
    } s and kept the connection open`;
  }
  return "server kept writing until the end";
}

/** Runs the stalled-reader scenario. */
export async function slow(options: SlowOptions) {
  const conn = await stalledPeer(options.url);
  const local = conn.localAddr.port;
  const server = conn.remoteAddr.port;
  const started = performance.now();
  let grewUntil: number | null = null;
  let releasedAt: number | null = null;
  let maxSendQ = 0;
  let last: TcpRow | undefined;
  const sampler = setInterval(() => {
    const at = (performance.now() - started) / 1000;
    const row = tcpRow(server, local);
    if (row && row.sendQ > maxSendQ) {
      maxSendQ = row.sendQ;
      grewUntil = at;
    }
    // 01 is ESTABLISHED; anything else, or no socket at all, is a release.
    if (releasedAt === null && (!row || row.state !== "01")) releasedAt = at;
    last = row;
  }, 100);
  try {
    const readers = await broadcast({
      url: options.url,
      clients: options.clients,
      senders: 1,
      rate: options.rate,
      size: options.size,
      duration: options.duration,
      drain: 2000,
      workers: options.workers,
      // The server's memory over the same window as a plain broadcast's,
      // from after every reader connected, so the two can be subtracted.
      pid: options.pid,
    });
    return {
      ...readers,
      slow_client: {
        verdict: verdict(releasedAt, grewUntil, options.duration / 1000),
        server_released_at_s: releasedAt,
        server_send_q_grew_until_s: grewUntil,
        max_server_send_q_bytes: maxSendQ,
        server_socket_at_end: last
          ? {
            state: last.state === "01" ? "ESTABLISHED" : last.state,
            send_q: last.sendQ,
          }
          : null,
      },
    };
  } finally {
    clearInterval(sampler);
    conn.abort();
  }
}
