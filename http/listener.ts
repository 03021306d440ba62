/**
 * The listener `serve` runs on, and its TLS choice: plain HTTP and ws, or,
 * given both a certificate and its key, HTTPS and wss. Both go through
 * natter's own listener (`listen/listen.ts`), with the same request
 * deadline, socket cap and recovery from a shortage of descriptors: TLS is
 * not a second server with rules of its own.
 *
 * @module
 */

import { type Handler, listen, type Listener } from "./listen/listen.ts";
import type { ServerOptions } from "./server_options.ts";
import { DEFAULTS } from "../settings/settings.ts";

/**
 * Starts the listener for `serve`'s `options`, answering with `handler`;
 * it listens before it returns.
 *
 * @throws what `Deno.listen` would throw for the address, for example
 * `Deno.errors.AddrInUse`.
 * @example
 * ```ts
 * await using listener = openListener(
 *   { hostname: "127.0.0.1", port: 0 },
 *   () => new Response("hi"),
 * );
 * console.log(`http://127.0.0.1:${listener.addr.port}/`);
 * ```
 */
export function openListener(
  options: ServerOptions,
  handler: Handler,
): Listener {
  return listen({
    hostname: options.hostname ?? DEFAULTS.hostname,
    port: options.port ?? DEFAULTS.port,
    reusePort: options.reusePort ?? false,
    // TLS when both are given; the listener makes the choice.
    cert: options.cert,
    key: options.key,
    requestTimeout: options.requestTimeout,
    maxSockets: options.maxSockets,
    log: options.log,
    onListen: options.onListen,
  }, handler);
}
