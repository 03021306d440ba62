/**
 * Idle and half-open connections: `clients` TCP connections that send
 * nothing, or half a request line, held open. It reports what each costs
 * the server while it holds them, and when the server closes them.
 *
 * @module
 */

import { now } from "./open.ts";
import { rssKiB } from "./proc.ts";

/** Settings of an idle run. */
export interface IdleOptions {
  url: string;
  clients: number;
  /** Send half a request line instead of nothing. */
  half: boolean;
  /** Give up waiting for the server to close them after this many ms. */
  wait: number;
  pid?: number;
}

/** Runs the scenario and reports it. */
export async function idle(options: IdleOptions) {
  const target = new URL(options.url);
  const addr = { hostname: target.hostname, port: Number(target.port) };
  const before = options.pid ? rssKiB(options.pid) : 0;
  const started = now();
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < options.clients; i += 100) {
    conns.push(
      ...await Promise.all(
        Array.from(
          { length: Math.min(100, options.clients - i) },
          async () => {
            const conn = await Deno.connect(addr);
            if (options.half) {
              await conn.write(
                new TextEncoder().encode("GET /ws HTTP/1.1\r\n"),
              );
            }
            return conn;
          },
        ),
      ),
    );
  }
  const opened = now();
  // Let the server accept them all before measuring.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const held = options.pid ? rssKiB(options.pid) : 0;
  const closedAt: number[] = [];
  await Promise.race([
    Promise.all(conns.map(async (conn) => {
      const buffer = new Uint8Array(1024);
      while (await conn.read(buffer).catch(() => null) !== null);
      closedAt.push(now() - opened);
    })),
    new Promise((resolve) => setTimeout(resolve, options.wait)),
  ]);
  for (const conn of conns) {
    try {
      conn.close();
    } catch {
      // Closed already.
    }
  }
  closedAt.sort((a, b) => a - b);
  const at = (q: number) =>
    closedAt.length
      ? Math.round(
        closedAt[
          Math.min(closedAt.length - 1, Math.floor(q * closedAt.length))
        ],
      )
      : null;
  return {
    clients: options.clients,
    sends: options.half ? "half a request line" : "nothing",
    seconds_to_open: Math.round(opened - started) / 1000,
    server_rss_before_kib: before,
    server_rss_held_kib: held,
    server_rss_per_conn_kib: options.pid
      ? Math.round(((held - before) / options.clients) * 100) / 100
      : null,
    closed_by_server: closedAt.length,
    closed_after_ms: { first: at(0), median: at(0.5), last: at(1) },
  };
}
