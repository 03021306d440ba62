/**
 * The connect storm: open N connections as fast as `par` attempts at a time
 * allow, measure the server's memory per connection, then one broadcast that
 * must reach every one of them.
 *
 * @module
 */

import { Histogram } from "./histogram.ts";
import { now, openSockets } from "./open.ts";
import { ProcessWatch, rssKiB } from "./proc.ts";

/** Settings of a connect storm. */
export interface ConnectOptions {
  url: string;
  clients: number;
  par: number;
  /** Milliseconds to hold the connections before the broadcast. */
  hold: number;
  pid?: number;
}

/** Runs the storm and reports it as chatbench's `connect` does. */
export async function connectStorm(options: ConnectOptions) {
  const { url, clients, par, hold, pid } = options;
  const server = pid ? new ProcessWatch(pid) : undefined;
  const baseline = server?.rssBefore ?? 0;
  const handshake = new Histogram();
  const failed: Record<string, number> = {};
  const sockets: WebSocket[] = [];
  const fanout = new Histogram();
  let received = 0;
  let sentAt = 0;
  let lastAt = 0;
  let disconnects = 0;
  const { promise: allReceived, resolve: done } = Promise.withResolvers<void>();
  const started = now();
  await openSockets(url, clients, par, { handshake, failed }, (socket) => {
    socket.onmessage = () => {
      const at = now();
      fanout.record((at - sentAt) * 1000);
      lastAt = at;
      if (++received === sockets.length) done();
    };
    socket.onclose = () => disconnects++;
    sockets.push(socket);
  });
  const seconds = (now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const connectedRss = pid ? rssKiB(pid) : 0;
  await new Promise((resolve) => setTimeout(resolve, hold));
  sentAt = now();
  sockets[0]?.send("connect storm: one broadcast");
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    allReceived,
    new Promise((resolve) => timer = setTimeout(resolve, 10_000)),
  ]);
  clearTimeout(timer);
  const stats = server?.stop();
  for (const socket of sockets) {
    socket.onclose = null;
    socket.close();
  }
  return {
    connect: {
      attempted: clients,
      connected: sockets.length,
      failed,
      seconds_to_all: Math.round(seconds * 1000) / 1000,
      connects_per_s: Math.round(sockets.length / seconds),
      handshake: handshake.summary(),
    },
    server_rss_baseline_kib: baseline,
    server_rss_connected_kib: connectedRss,
    server_rss_per_conn_kib: pid && sockets.length
      ? Math.round(((connectedRss - baseline) / sockets.length) * 100) / 100
      : null,
    disconnects,
    fanout: {
      receivers: sockets.length,
      received,
      seconds_to_last: received ? Math.round(lastAt - sentAt) / 1000 : null,
      latency: fanout.summary(),
    },
    server: stats ? { pid, ...stats } : null,
  };
}
