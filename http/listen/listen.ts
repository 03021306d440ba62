/**
 * natter's listener: `node:http` on Deno 2.9, with natter's handler behind
 * it, because it is the HTTP server Deno 2.9 offers that can survive a flood.
 *
 * - A request must be complete within the request timeout: `node:http`
 *   closes a connection that sent nothing, or half a request, by then.
 *   `Deno.serve` has no such deadline and holds such connections forever.
 * - WebSocket upgrades go through `Deno.upgradeWebSocket(request, { socket,
 *   head })`, which takes the TCP stream away from `node:http` and runs
 *   Deno's own WebSocket on it: frames cost what they did with `Deno.serve`,
 *   a connection 2 to 3 KiB more. The socket is detached from the server
 *   from then on.
 * - Every TCP connection counts against a socket cap: one accepted over it
 *   is closed at once, so natter's own connections never use up the
 *   process's descriptors.
 * - With a certificate and key it serves TLS on `node:https`, with the same
 *   deadline (also for the TLS handshake), cap and recovery. Deno upgrades
 *   only a plain TCP socket, so a WebSocket over TLS is relayed through a
 *   loopback connection (`loopback.ts`): it holds three descriptors, and
 *   each counts against the cap.
 * - If the process runs out of descriptors anyway, Deno 2.9's `node:net`
 *   stops accepting for good (its accept loop drops the EMFILE and never
 *   polls the listener again). natter checks once a second whether a
 *   descriptor can be opened, logs once per episode when none can, and
 *   calls `listen()` on its handle again, which makes Deno poll it: accepting
 *   resumes within a second of descriptors coming free, and the
 *   connections that waited in the kernel's queue meanwhile are served.
 *   During a shortage each connection that closes makes it listen again at
 *   once. Over TLS, an upgrade that finds no descriptor for its loopback
 *   is answered 503 and closed at once.
 *
 * @module
 */

import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { Admission } from "./admission.ts";
import { isExhausted } from "./descriptors.ts";
import { type Watch, watchDescriptors } from "./descriptor_watch.ts";
import { Loopback, relay } from "./loopback.ts";
import { toRequest, writeRaw, writeResponse } from "./node_bridge.ts";
import { bindNow } from "./tcp_bind.ts";
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

/** A connection `node:http` handed over for an upgrade, until it is upgraded or refused. */
interface Pending {
  socket: Duplex;
  head: Uint8Array;
  sockets: Admission;
}

const pending = new WeakMap<Request, Pending>();

/**
 * Upgrades `request` to a WebSocket, like `Deno.upgradeWebSocket`: over
 * the connection {@linkcode listen} received it on, or through `Deno.serve`
 * for a request that came from there.
 */
export function upgradeWebSocket(
  request: Request,
  options: Deno.UpgradeWebSocketOptions = {},
): Deno.WebSocketUpgrade {
  const upgrade = pending.get(request);
  if (!upgrade) return Deno.upgradeWebSocket(request, options);
  pending.delete(request);
  // Deno 2.9 takes the TCP stream out of node:net's handle but leaves the
  // handle open, and an open handle keeps its socket alive: 1.4 KiB of heap
  // per connection, never freed. Close it once the stream has been taken.
  const handle = (upgrade.socket as unknown as { _handle?: Closable })._handle;
  const result = Deno.upgradeWebSocket(request, {
    ...options,
    socket: upgrade.socket as Socket,
    head: upgrade.head,
  });
  if (handle) {
    result.socket.addEventListener("open", () => handle.close(), {
      once: true,
    });
  }
  // The TCP connection lives on as the WebSocket; it counts until that closes.
  upgrade.sockets.release(upgrade.socket);
  upgrade.sockets.add(result.socket);
  return result;
}

/** A handle of Node's TCP binding, as far as closing it goes. */
interface Closable {
  close(): void;
}

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
  const timeout = options.requestTimeout ?? 10_000;
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
  server.on("upgrade", async (message, socket: Socket, head: Uint8Array) => {
    // Deno 2.9 writes the 101 and only then stops reading the socket: what
    // the client sends meanwhile would be read into the socket's buffer and
    // lost with it. Stop reading now; the kernel keeps those bytes for the
    // WebSocket, and whatever was read already goes with the head.
    socket.pause();
    const early = socket.read() as Uint8Array | null;
    if (early) head = concat(head, early);
    // The server no longer listens for this socket's errors: a peer that
    // goes away now must not become an uncaught error.
    socket.on("error", () => {});
    open.delete(socket);
    if (open.size === 0) drained?.();
    const request = toRequest(message);
    if (!request) {
      return writeRaw(socket, new Response("Bad Request\n", { status: 400 }));
    }
    const plain = loopback
      ? await throughLoopback(loopback, socket, sockets, timeout, watch)
      : socket;
    if (!plain) {
      // A TLS socket left paused never finishes its end(): the refused
      // connection, and its descriptor, would stay until the peer gave up.
      socket.resume();
      const full = new Response("Service Unavailable\n", { status: 503 });
      return writeRaw(socket, full);
    }
    pending.set(request, { socket: plain, head, sockets });
    // The handler sees the real peer, not the loopback.
    const response = await respond(handler, request, infoOf(socket), log);
    // Upgraded: Deno has written the 101 and owns the stream.
    if (!pending.delete(request)) return;
    await writeRaw(plain, response).catch(() => plain.destroy());
  });
  server.on("error", (error) => log(`server error: ${error.message}`));

  const hostname = options.hostname ?? "0.0.0.0";
  const handle = bindNow(
    hostname,
    options.port ?? 8080,
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

/**
 * For an upgrade over TLS: a loopback connection whose far end Deno can
 * upgrade, its near end relayed to `socket`. Both ends count against
 * `sockets` until they close.
 *
 * @returns `undefined` when the cap has no room for both ends or the
 * connection cannot be made (no descriptor left for it, say, which is
 * reported to `watch`): the upgrade is refused.
 */
async function throughLoopback(
  loopback: Loopback,
  socket: Duplex,
  sockets: Admission,
  timeout: number,
  watch: Watch,
): Promise<Socket | undefined> {
  // Both ends are held before connecting, so that no other upgrade takes
  // the room meanwhile.
  const ends = [{}, {}];
  for (const end of ends) {
    if (!sockets.admits()) {
      for (const held of ends) sockets.release(held);
      return undefined;
    }
    sockets.add(end);
  }
  try {
    const { near, far } = await loopback.pair(timeout);
    for (const [end, real] of [[ends[0], near], [ends[1], far]] as const) {
      sockets.release(end);
      sockets.add(real);
      real.once("close", () => sockets.release(real));
    }
    if (socket.destroyed) {
      near.destroy();
      far.destroy();
      return undefined;
    }
    relay(socket, near);
    near.resume();
    return far;
  } catch (error) {
    for (const end of ends) sockets.release(end);
    if (isExhausted(error)) watch.exhausted();
    return undefined;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const all = new Uint8Array(a.byteLength + b.byteLength);
  all.set(a);
  all.set(b, a.byteLength);
  return all;
}

/** Lets the process exit with `timer` pending (Deno's timers are numbers). */
function unref<T>(timer: T): T {
  Deno.unrefTimer(timer as number);
  return timer;
}
