/**
 * natter on its own listener (contract H1-H6, docs/protocol.md R2, R3, S1):
 * `serve` is a natter (`natter.ts`) whose requests come from natter's own
 * listener (`listener.ts`, with its TLS choice, request deadline, socket cap
 * and recovery from a shortage of descriptors), which upgrades WebSockets on
 * its own connections. A shutdown closes the natter, then the listener,
 * within one deadline (which grows by the drain window after `drain()`).
 *
 * @module
 */

import { upgradeWebSocket } from "./listen/listen.ts";
import { openListener } from "./listener.ts";
import { assemble } from "./natter.ts";
import type { Natter, ServerOptions } from "./server_options.ts";
import { type CloseReason, SERVICE_RESTART } from "../util/close_reasons.ts";
import { DEFAULTS } from "../settings/settings.ts";

export { SERVICE_RESTART };
export { SUBPROTOCOL } from "./upgrade_gate.ts";
export type { Natter, ServerOptions } from "./server_options.ts";

/**
 * Starts natter.
 *
 * @example
 * ```ts
 * await using natter = serve({ port: 0, hostname: "127.0.0.1" });
 * console.log(`ws://127.0.0.1:${natter.addr.port}/ws`);
 * ```
 */
export function serve(options: ServerOptions = {}): Natter {
  const app = assemble({ ...options, upgrade: upgradeWebSocket });
  const listener = openListener(options, app.fetch);
  const timeout = options.shutdownTimeout ?? DEFAULTS.shutdownTimeout;
  const window = options.drainWindow ?? DEFAULTS.drainWindow;
  let drained = false;
  let stopping: Promise<boolean> | undefined;
  const shutdown = (reason?: CloseReason) => {
    stopping ??= (async () => {
      const start = performance.now();
      // A drained natter closes its clients over the window first.
      const limit = timeout + (drained ? window : 0);
      const closed = await app.close(reason);
      // The listener stops last, in what is left of the same deadline.
      const left = Math.max(0, limit - (performance.now() - start));
      return await within(listener.shutdown(), left) && closed;
    })();
    return stopping;
  };
  return {
    addr: listener.addr,
    rooms: app.rooms,
    members: app.members,
    get ready() {
      return app.ready;
    },
    drain: () => {
      drained = true;
      app.drain();
    },
    shutdown,
    async [Symbol.asyncDispose]() {
      await shutdown();
    },
  };
}

/** Whether `promise` settles within `ms` milliseconds. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
