/**
 * natter's listener: `node:http` on Deno 2.9, with natter's handler behind
 * it, because it is the HTTP server Deno 2.9 offers that can survive a flood.
 *
 * - A request must be complete within the request timeout: `node:http`
 *   closes a connection that sent nothing, or half a request, by then.
 *   `Deno.serve` has no such deadline and holds such connections forever.
 * - WebSocket upgrades are handed off to Deno's own WebSocket
 *   (`upgrade.ts`); the socket is detached from the server from then on.
 * - Every TCP connection counts against a socket cap: one accepted over it
 *   is closed at once, so natter's own connections never use up the
 *   process's descriptors.
 * - With a certificate and key it serves TLS on `node:https`, with the same
 *   deadline (also for the TLS handshake), cap and recovery; a WebSocket
 *   over TLS runs on a loopback connection (see `upgrade.ts`).
 * - If the process runs out of descriptors anyway, Deno 2.9's `node:net`
 *   stops accepting for good (its accept loop drops the EMFILE and never
 *   polls the listener again). natter checks once a second whether a
 *   descriptor can be opened, logs once per episode when none can, and
 *   calls `listen()` on its handle again, which makes Deno poll it: accepting
 *   resumes within a second of descriptors coming free, and the
 *   connections that waited in the kernel's queue meanwhile are served.
 *   During a shortage each connection that closes makes it listen again at
 *   once.
 *
 * @module
 */

import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import { Admission } from "./admission.ts";
import { watchDescriptors } from "./descriptor_watch.ts";
import { Loopback } from "./loopback.ts";
import { toRequest, writeResponse } from "./node_bridge.ts";
import { bindNow } from "./tcp_bind.ts";
import { handOffUpgrades } from "./upgrade.ts";
import type {
  Handler,
  Listener,
  ListenOptions,
  RequestInfo,
} from "./listen_options.ts";

export type {
  Handler,
  Listener,
  ListenOptions,
  RequestInfo,
} from "./listen_options.ts";
import { DEFAULTS } from "../../settings/settings.ts";
export { upgradeWebSocket } from "./upgrade.ts";

/**
 * Starts serving `handler` on `node:http`, listening before it returns.
 *
 * @throws what `Deno.listen` would throw for the address, for example
 * `Deno.errors.AddrInUse`.
 * @example
 * ```ts
 * await using listener = listen({ port: 0 }, () => new Response("hi"));
 * console.log(listener.addr.port);
 * ```
 */
export function listen(options: ListenOptions, handler: Handler): Listener {
  const log = options.log ?? (() => {});
  const timeout = options.requestTimeout ?? DEFAULTS.requestTimeout;
  const settings = {
    headersTimeout: timeout,
    requestTimeout: timeout,
    // The deadline is enforced when the connections are checked.
    connectionsCheckingInterval: Math.min(1000, Math.max(50, timeout / 10)),
  };
  const tls = options.cert !== undefined && options.key !== undefined;
  const server = tls
    ? https.createServer({
      ...settings,
      cert: options.cert,
      key: options.key,
      handshakeTimeout: timeout,
      // Without it, Deno's own WebSocket client fails the handshake with
      // "NoApplicationProtocol".
      ALPNProtocols: ["http/1.1"],
    })
    : http.createServer(settings);
  const loopback = tls ? new Loopback() : undefined;
  const maxSockets = options.maxSockets ?? Infinity;
  const sockets = new Admission(maxSockets, {
    full: `${maxSockets} connections open, all the descriptors allow: ` +
      "closing new ones at once until some end",
    log,
  });
  // Connections still speaking HTTP, to close at shutdown.
  const open = new Set<Socket>();
  let drained: (() => void) | undefined;
  function release(this: Socket) {
    sockets.release(this);
    // Its descriptor is free: an accept loop stopped at EMFILE takes the
    // next connection now, not at the next check.
    watch.freed();
    open.delete(this);
    if (open.size === 0) drained?.();
  }
  server.prependListener("connection", (socket: Socket) => {
    if (!sockets.admits()) return socket.destroy();
    sockets.add(socket);
    open.add(socket);
    socket.once("close", release);
  });
  server.on("request", async (message, res) => {
    const request = toRequest(message);
    const response = request
      ? await respond(handler, request, infoOf(message.socket), log)
      : new Response("Bad Request\n", { status: 400 });
    await writeResponse(res, response).catch(() => res.destroy());
  });
  const handOff = handOffUpgrades({
    // The handler sees the real peer, not the loopback.
    answer: (request, peer) => respond(handler, request, infoOf(peer), log),
    sockets,
    loopback,
    timeout,
    exhausted: () => watch.exhausted(),
  });
  server.on("upgrade", (message, socket: Socket, head: Uint8Array) => {
    // The connection is the hand-off's now, no longer one of those the
    // listener closes at shutdown.
    open.delete(socket);
    if (open.size === 0) drained?.();
    return handOff(message, socket, head);
  });
  server.on("error", (error) => log(`server error: ${error.message}`));

  const hostname = options.hostname ?? DEFAULTS.hostname;
  const handle = bindNow(
    hostname,
    options.port ?? DEFAULTS.port,
    options.reusePort ?? false,
  );
  server.listen(handle);
  const bound = server.address() as { address: string; port: number };
  const addr: Deno.NetAddr = {
    transport: "tcp",
    hostname: bound.address,
    port: bound.port,
  };
  // The TLS server accepts on `handle` as the plain one does: both are
  // listened on again, and the loopback's too.
  const handles = loopback ? [handle, loopback.handle] : [handle];
  const watch = watchDescriptors(handles, options.watchInterval ?? 1000, log);
  options.onListen?.(addr);

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= new Promise<void>((resolve) => {
      clearInterval(watch.timer);
      server.close();
      loopback?.[Symbol.dispose]();
      drained = resolve;
      if (open.size === 0) return resolve();
      // Requests in flight get a moment; the rest (requests still arriving,
      // idle keep-alive connections) are closed.
      unref(setTimeout(() => server.closeAllConnections(), 1000));
    });
    return stopping;
  };
  return {
    addr,
    get connections() {
      return sockets.size;
    },
    shutdown,
    [Symbol.asyncDispose]: shutdown,
  };
}

/** The peer of a connection, as a `Deno.NetAddr`. */
function infoOf(
  socket: { remoteAddress?: string; remotePort?: number },
): RequestInfo {
  return {
    remoteAddr: {
      transport: "tcp",
      hostname: socket.remoteAddress ?? "",
      port: socket.remotePort ?? 0,
    },
  };
}

/** Calls the handler; a handler that throws gets a 500, as with `Deno.serve`. */
async function respond(
  handler: Handler,
  request: Request,
  info: RequestInfo,
  log: (line: string) => void,
): Promise<Response> {
  try {
    return await handler(request, info);
  } catch (error) {
    log(`handler failed: ${(error as Error)?.stack ?? error}`);
    return new Response("Internal Server Error\n", { status: 500 });
  }
}

/** Lets the process exit with `timer` pending (Deno's timers are numbers). */
function unref<T>(timer: T): T {
  Deno.unrefTimer(timer as number);
  return timer;
}
