/**
 * Checks of the request deadline, over plain HTTP and over TLS: every
 * connection that never completed a request is closed, and none before the
 * deadline.
 *
 * @module
 */

import assert from "node:assert/strict";
import { deadline } from "./natter.ts";

/** Reads `conn` until the server closes it; what it said, if anything. */
export async function readToEnd(conn: Deno.Conn): Promise<string> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(4096);
  let text = "";
  for (;;) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) return text;
    text += decoder.decode(buffer.subarray(0, n), { stream: true });
  }
}

/**
 * Asserts that the server closes every one of `conns`, opened at `started`
 * (by `performance.now()`), no sooner than 90% of `timeout` ms after, having
 * said nothing or a 408.
 */
export async function assertClosedAtDeadline(
  conns: readonly Deno.Conn[],
  started: number,
  timeout: number,
): Promise<void> {
  const ended = await deadline(
    Promise.all(conns.map(async (c) => {
      const text = await readToEnd(c);
      c.close();
      return { text, at: performance.now() - started };
    })),
    "the unfinished connections to be closed",
  );
  for (const { text, at } of ended) {
    assert.ok(at >= timeout * 0.9, `closed after ${at} ms`);
    assert.ok(text === "" || text.startsWith("HTTP/1.1 408"), text);
  }
}
