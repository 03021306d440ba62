/**
 * The reason of a WebSocket close frame is at most 123 bytes of UTF-8
 * (RFC 6455, 5.5: a control frame's 125 bytes less the 2 of the code);
 * `WebSocket.close()` throws on a longer one. A reason that comes from
 * outside (the server API) is cut to fit, between code points.
 *
 * @module
 */

/** The most UTF-8 bytes a close reason may take. */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * `reason` cut to at most `maxBytes` bytes of UTF-8, at a code point
 * boundary, so that `WebSocket.close()` accepts it.
 *
 * @param maxBytes the most bytes the result may take.
 * @default {123} for `maxBytes`
 *
 * @example
 * ```ts
 * declare const socket: WebSocket;
 * socket.close(1008, fitCloseReason("é".repeat(100))); // 61 of them
 * ```
 */
export function fitCloseReason(
  reason: string,
  maxBytes: number = MAX_CLOSE_REASON_BYTES,
): string {
  let bytes = 0;
  let end = 0;
  for (const char of reason) {
    const code = char.codePointAt(0)!;
    // A lone surrogate is sent as U+FFFD, three bytes like its own size.
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return reason.slice(0, end);
}
