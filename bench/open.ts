/**
 * Opening the generator's connections, shared by the load threads and the
 * connect storm.
 *
 * @module
 */

import type { Histogram } from "./histogram.ts";

/** Wall-clock milliseconds with sub-millisecond precision, same in every thread. */
export const now = () => performance.timeOrigin + performance.now();

/** Where {@linkcode openSockets} records the handshakes. */
export interface HandshakeStats {
  /** Each successful handshake's time, µs. */
  handshake: Histogram;
  /** Failed attempts, by the error's message. */
  failed: Record<string, number>;
}

/**
 * Opens `count` WebSockets to `url` (or to `url(index)`, one address per
 * connection), `par` attempts at a time, offering `protocol` when given, and
 * hands each one that opened to `opened` with its index (0 to count - 1; a
 * failed attempt's index is skipped).
 */
export async function openSockets(
  url: string | ((index: number) => string),
  count: number,
  par: number,
  stats: HandshakeStats,
  opened: (socket: WebSocket, index: number) => void,
  protocol?: string,
): Promise<void> {
  let next = 0;
  const attempt = async () => {
    while (next < count) {
      const index = next++;
      const started = now();
      const address = typeof url === "string" ? url : url(index);
      const socket = new WebSocket(address, protocol);
      const ok = await new Promise<boolean>((resolve) => {
        socket.onopen = () => resolve(true);
        socket.onerror = (event) => {
          const reason = (event as ErrorEvent).message ?? "error";
          stats.failed[reason] = (stats.failed[reason] ?? 0) + 1;
          resolve(false);
        };
      });
      if (!ok) continue;
      stats.handshake.record((now() - started) * 1000);
      socket.onerror = null;
      opened(socket, index);
    }
  };
  await Promise.all(Array.from({ length: par }, attempt));
}
