/**
 * Closing a WebSocket the way Deno 2.9 lets the peer see why.
 *
 * @module
 */

import type { CloseReason } from "../util/close_reasons.ts";

/**
 * Closes `socket` with `close` on the next turn of the event loop. Deno 2.9
 * drops the close frame of a socket closed while it is still dispatching a
 * batch of inbound messages (the peer would see the connection end with no
 * code), so the close waits until that batch is done. A reason Deno refuses
 * (over 123 bytes) does not keep the socket open: it closes with the code
 * alone.
 *
 * @example
 * ```ts
 * declare const socket: WebSocket;
 *
 * closeSoon(socket, { code: 1008, reason: "send queue full" });
 * ```
 */
export function closeSoon(socket: WebSocket, close: CloseReason): void {
  setTimeout(() => {
    if (socket.readyState !== WebSocket.OPEN) return;
    try {
      socket.close(close.code, close.reason);
    } catch {
      socket.close(close.code);
    }
  }, 0);
}
