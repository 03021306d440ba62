/**
 * `select`: waiting on several channels at once, as Go's `select` over
 * receives does; a Hub waits on its four this way.
 *
 * @module
 */

import type { Channel } from "./channel.ts";

/**
 * Why `select` stops watching the channels it did not pick. Aborting with a
 * reason of its own spares the `DOMException` (and its stack trace) that
 * `abort()` would build on every wake of a Hub: about 20 µs a turn.
 */
const PICKED = new Error("select picked another channel");

/**
 * Waits until any of `channels` has a value queued or is closed, like Go's
 * `select` over receives. Leaves nothing behind on the channels it did not
 * pick.
 *
 * @returns the index of a channel that is ready.
 *
 * @example
 * ```ts
 * import { Channel } from "./channel.ts";
 *
 * const joins = new Channel<string>(8), messages = new Channel<string>(8);
 * messages.trySend("hello");
 * await select([joins, messages]); // 1
 * ```
 */
export async function select(
  channels: readonly Channel<unknown>[],
  options: { signal?: AbortSignal } = {},
): Promise<number> {
  const ready = channels.findIndex((c) => c.size > 0 || c.closed);
  if (ready !== -1) return ready;
  const done = new AbortController();
  const signal = options.signal
    ? AbortSignal.any([options.signal, done.signal])
    : done.signal;
  try {
    return await Promise.race(
      channels.map((c, i) => c.wait({ signal }).then(() => i)),
    );
  } finally {
    done.abort(PICKED);
  }
}
