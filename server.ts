/**
 * natter's HTTP surface (contract H1-H6) and its lifecycle: a listener
 * (`listen.ts`), one Hub, a Client per upgraded socket, and a shutdown that
 * always ends.
 *
 * @module
 */

import { Admission } from "./admission.ts";
import { Client, type ClientOptions } from "./client.ts";
import { checkHandshake } from "./handshake.ts";
import { Hub } from "./hub.ts";
import { Intake } from "./intake.ts";
import { listen, type Listener, upgradeWebSocket } from "./listen.ts";
import { originCheck } from "./origin.ts";
import { servePage } from "./page.ts";
import type { Relay } from "./relay.ts";

/** Options for {@linkcode serve}. */
export interface ServerOptions
  extends Omit<ClientOptions, "onClose" | "intake"> {
  /**
   * The interface to listen on.
   * @default {"0.0.0.0"}
   */
  hostname?: string;
  /**
   * The port to listen on; 0 picks a free one.
   * @default {8080}
   */
  port?: number;
  /**
   * Origins allowed besides the request's own host (H5); `*` allows all.
   * @default {[]}
   */
  allowOrigins?: readonly string[];
  /**
   * Seconds a connection may stay silent: Deno pings it after half of this
   * and drops it at this if no pong came (K4, K5, O4).
   * @default {60}
   */
  idleTimeout?: number;
  /**
   * Milliseconds {@linkcode Natter.shutdown} waits for connections to close
   * before it gives up on the stragglers.
   * @default {5000}
   */
  shutdownTimeout?: number;
  /**
   * Share the port with other listeners (SO_REUSEPORT), as the workers of
   * one server do; the kernel spreads connections across them.
   * @default {false}
   */
  reusePort?: boolean;
  /**
   * The most WebSocket clients at once (`--max-connections`); an upgrade
   * over it gets 503 and its connection is closed.
   * @default {Infinity}
   */
  maxConnections?: number;
  /**
   * The most TCP connections at once, of every kind; one accepted over it is
   * closed at once. `main.ts` sets it from the free descriptors.
   * @default {Infinity}
   */
  maxSockets?: number;
  /**
   * Milliseconds a connection has to complete its HTTP request; it is closed
   * after that.
   * @default {10000}
   */
  requestTimeout?: number;
  /**
   * Inbound messages that may wait for room in the Hub's broadcast channel,
   * all senders together; past it, the sender with the most waiting is
   * closed with 1008 and what it had waiting dropped (see intake.ts).
   * @default {16384}
   */
  maxWaiting?: number;
  /** Puts the Hub's messages in one order with other workers' Hubs. */
  relay?: Relay;
  /** Called once the server listens. */
  onListen?: (addr: Deno.NetAddr) => void;
}

/** A running natter server. */
export interface Natter extends AsyncDisposable {
  /** The address it listens on (the real port when 0 was asked for). */
  readonly addr: Deno.NetAddr;
  /** The Hub every connection registers with. */
  readonly hub: Hub;
  /**
   * Closes every client with 1001, stops listening and waits for connections
   * to end, giving up after the shutdown timeout.
   *
   * @returns `true` if every connection ended in time.
   */
  shutdown(): Promise<boolean>;
}

/**
 * Answers one request: the page at `/`, WebSocket upgrades at `/ws`, 404
 * elsewhere. Every upgraded socket is kept in `sockets` until it closes.
 */
function createHandler(
  hub: Hub,
  sockets: Set<WebSocket>,
  options: ServerOptions,
): (request: Request) => Response {
  const originAllowed = originCheck(options.allowOrigins);
  const idleTimeout = options.idleTimeout ?? 60;
  const maxClients = options.maxConnections ?? Infinity;
  const clients = new Admission(maxClients, {
    full: `${maxClients} clients connected, the most allowed ` +
      "(--max-connections): refusing new ones with 503 until some leave",
    log: options.log,
  });
  // One function for every socket, rather than a listener closure each.
  const clientOptions: ClientOptions = {
    ...options,
    onClose: (socket) => sockets.delete(socket),
    intake: new Intake(hub.broadcast, { capacity: options.maxWaiting }),
  };
  return (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/") return servePage(request);
    if (pathname !== "/ws") return text(404, "Not Found");
    const refusal = checkHandshake(request, originAllowed);
    if (refusal) {
      return text(refusal.status, refusal.message, {
        "sec-websocket-version": "13",
      });
    }
    if (!clients.admits()) {
      return text(503, "Service Unavailable: too many connections");
    }
    const { socket, response } = upgradeWebSocket(request, { idleTimeout });
    clients.add(socket);
    new Client(socket, hub, clientOptions);
    sockets.add(socket);
    return response;
  };
}

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
  // A burst must not overflow the queue of a client that keeps up.
  const hub = new Hub({
    maxBatch: options.queueSize ?? 256,
    relay: options.relay,
  });
  const sockets = new Set<WebSocket>();
  const server = listen({
    hostname: options.hostname ?? "0.0.0.0",
    port: options.port ?? 8080,
    reusePort: options.reusePort ?? false,
    requestTimeout: options.requestTimeout,
    maxSockets: options.maxSockets,
    log: options.log,
    onListen: options.onListen,
  }, createHandler(hub, sockets, options));
  let stopping: Promise<boolean> | undefined;
  const shutdown = () => {
    stopping ??= stop(
      server,
      hub,
      sockets,
      options.shutdownTimeout ?? 5000,
    );
    return stopping;
  };
  return {
    addr: server.addr,
    hub,
    shutdown,
    async [Symbol.asyncDispose]() {
      await shutdown();
    },
  };
}

async function stop(
  server: Listener,
  hub: Hub,
  sockets: Set<WebSocket>,
  timeout: number,
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeout);
  });
  try {
    // The Hub tells every open client to close with natter's 1001; the
    // listener's shutdown leaves WebSockets alone, so this waits until they
    // have closed (or the deadline has passed). Clients close on the
    // next turn of the event loop (see client.ts): the closes scheduled
    // before shutdown, such as an eviction's, happen first, and those
    // sockets are not waited for: a stalled one never finishes closing.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const closed = [...sockets]
      .filter((socket) => socket.readyState <= WebSocket.OPEN)
      .map((socket) =>
        new Promise((resolve) => {
          socket.addEventListener("close", resolve, { once: true });
        })
      );
    await hub.close();
    const inTime = await Promise.race([
      Promise.all(closed).then(() => true),
      deadline,
    ]);
    const ended = server.shutdown().then(() => true);
    return await Promise.race([ended, deadline]) && inTime;
  } finally {
    clearTimeout(timer);
  }
}

function text(
  status: number,
  body: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(body + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}
