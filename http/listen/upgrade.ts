/**
 * The upgrade hand-off: how a WebSocket upgrade `node:http` received
 * becomes a Deno WebSocket. The listener hands the connection over with
 * {@linkcode handOffUpgrades}; the handler decides, and if it upgrades with
 * {@linkcode upgradeWebSocket}, `Deno.upgradeWebSocket(request, { socket,
 * head })` takes the TCP stream away from `node:http` and runs Deno's own
 * WebSocket on it: frames cost what they did with `Deno.serve`, a
 * connection 2 to 3 KiB more. A refusal is written to the socket as raw
 * HTTP.
 *
 * Deno upgrades only a plain TCP socket, so over TLS the WebSocket runs on
 * a loopback connection relayed to the TLS socket (`loopback.ts`): three
 * descriptors, each counted against the socket cap. An upgrade that finds
 * no room or no descriptor for its loopback is answered 503 and closed.
 *
 * @module
 */

import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Admission } from "./admission.ts";
import { isExhausted } from "./descriptors.ts";
import { type Loopback, relay } from "./loopback.ts";
import { toRequest, writeRaw } from "./node_bridge.ts";

/**
 * A connection `node:http` handed over for an upgrade, until it is upgraded
 * or refused.
 */
interface Pending {
  socket: Duplex;
  head: Uint8Array;
  sockets: Admission;
}

const pending = new WeakMap<Request, Pending>();

/**
 * Upgrades `request` to a WebSocket, like `Deno.upgradeWebSocket`: over
 * the connection `listen` received it on, or through `Deno.serve` for a
 * request that came from there.
 *
 * @example
 * ```ts
 * import { listen } from "./listen.ts";
 *
 * await using listener = listen({ port: 0 }, (request) => {
 *   const { socket, response } = upgradeWebSocket(request);
 *   socket.onmessage = (event) => socket.send(event.data);
 *   return response;
 * });
 * console.log(`an echo on ws://localhost:${listener.addr.port}/`);
 * ```
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

/** What the hand-off needs of the listener it works for. */
export interface HandOffContext {
  /**
   * Answers the upgrade request with the listener's handler; `peer` is the
   * connection it came on, never the loopback.
   */
  answer(request: Request, peer: Socket): Promise<Response>;
  /** The listener's socket cap; a loopback's ends count against it too. */
  sockets: Admission;
  /** Over TLS: the loopback a WebSocket runs on. */
  loopback?: Loopback;
  /** Milliseconds a loopback connection may take to be made. */
  timeout: number;
  /** Reports that no descriptor was left for a loopback connection. */
  exhausted(): void;
}

/**
 * The listener of `node:http`'s `upgrade` event: it takes the connection
 * from `node:http`, asks the handler, and leaves the connection to Deno's
 * WebSocket if the handler upgraded it, or writes the handler's refusal.
 */
export function handOffUpgrades(
  context: HandOffContext,
): (
  message: IncomingMessage,
  socket: Socket,
  head: Uint8Array,
) => Promise<void> {
  return async (message, socket, head) => {
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
    const request = toRequest(message);
    if (!request) {
      return writeRaw(socket, new Response("Bad Request\n", { status: 400 }));
    }
    const plain = context.loopback
      ? await throughLoopback(socket, context.loopback, context)
      : socket;
    if (!plain) {
      // A TLS socket left paused never finishes its end(): the refused
      // connection, and its descriptor, would stay until the peer gave up.
      socket.resume();
      const full = new Response("Service Unavailable\n", { status: 503 });
      return writeRaw(socket, full);
    }
    pending.set(request, { socket: plain, head, sockets: context.sockets });
    const response = await context.answer(request, socket);
    // Upgraded: Deno has written the 101 and owns the stream.
    if (!pending.delete(request)) return;
    await writeRaw(plain, response).catch(() => plain.destroy());
  };
}

/**
 * For an upgrade over TLS: a loopback connection whose far end Deno can
 * upgrade, its near end relayed to `socket`. Both ends count against
 * the socket cap until they close.
 *
 * @returns `undefined` when the cap has no room for both ends or the
 * connection cannot be made (no descriptor left for it, say, which is
 * reported): the upgrade is refused.
 */
async function throughLoopback(
  socket: Duplex,
  loopback: Loopback,
  context: HandOffContext,
): Promise<Socket | undefined> {
  const { sockets } = context;
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
    const { near, far } = await loopback.pair(context.timeout);
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
    if (isExhausted(error)) context.exhausted();
    return undefined;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const all = new Uint8Array(a.byteLength + b.byteLength);
  all.set(a);
  all.set(b, a.byteLength);
  return all;
}
