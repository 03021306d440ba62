/**
 * A loopback relay for WebSockets over TLS. Deno 2.9's
 * `Deno.upgradeWebSocket(request, { socket })` takes only a plain TCP socket
 * (it takes the stream out of the socket's handle), and refuses a `node:tls`
 * socket. So natter opens a TCP connection to a listener of its own on
 * 127.0.0.1, gives Deno the accepted end, and relays bytes between the other
 * end and the TLS socket, both ways, with backpressure: when the TLS peer
 * stops reading, the relay stops reading the loopback, the kernel's buffers
 * fill, and Deno's `bufferedAmount` grows as it would on a plain socket.
 *
 * A WebSocket over TLS so holds three descriptors instead of one: the TLS
 * connection and both ends of the loopback connection.
 *
 * @module
 */

import net, { type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { canOpenDescriptor } from "./descriptors.ts";
import { BACKLOG, bindNow, type TcpHandle } from "./tcp_bind.ts";

/** Milliseconds an accepted loopback connection waits to be claimed. */
const UNCLAIMED_MS = 5000;

/** Milliseconds a relay that ended waits for the other side to flush. */
const FLUSH_MS = 10_000;

/** Both ends of one loopback connection. */
export interface LoopbackPair {
  /** The end this process connected: relayed to the TLS socket. */
  near: Socket;
  /** The end the listener accepted: for `Deno.upgradeWebSocket`. */
  far: Socket;
}

/**
 * A TCP listener on 127.0.0.1 and an ephemeral port that only this process
 * connects to, and the pairs of sockets it makes.
 */
export class Loopback implements Disposable {
  readonly #server: net.Server;
  readonly #port: number;
  /** The listening handle, for the descriptor watch to poll again. */
  readonly handle: TcpHandle;
  /** Accepted ends waiting for their near end, by the near end's port. */
  readonly #arrived = new Map<number, Socket>();
  /** Near ends waiting for their accepted end, by their own port. */
  readonly #waiting = new Map<number, (far: Socket) => void>();

  /** Listens on 127.0.0.1 and a free port, now. */
  constructor() {
    this.handle = bindNow("127.0.0.1", 0, false);
    this.#server = net.createServer({ pauseOnConnect: true });
    this.#server.on("connection", (far: Socket) => this.#accept(far));
    this.#server.on("error", () => {});
    this.#server.listen(this.handle);
    this.#server.unref();
    this.#port = (this.#server.address() as net.AddressInfo).port;
  }

  /**
   * Opens a loopback connection and resolves with both of its ends.
   *
   * @throws when it cannot connect, when no descriptor is left for the
   * accepted end (both with `code` "EMFILE"), or when the listener has not
   * accepted within `timeout` ms.
   */
  pair(timeout: number): Promise<LoopbackPair> {
    const near = net.connect({ host: "127.0.0.1", port: this.#port });
    near.pause();
    const { promise, resolve, reject } = Promise.withResolvers<LoopbackPair>();
    const fail = (error: Error) => {
      clearTimeout(timer);
      near.destroy();
      if (near.localPort !== undefined) this.#waiting.delete(near.localPort);
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`No loopback connection within ${timeout} ms`)),
      timeout,
    );
    Deno.unrefTimer(timer as unknown as number);
    near.once("error", fail);
    near.once("connect", () => {
      const port = near.localPort!;
      const claim = (far: Socket) => {
        clearTimeout(timer);
        near.off("error", fail);
        resolve({ near, far });
      };
      const far = this.#arrived.get(port);
      if (far) {
        this.#arrived.delete(port);
        return claim(far);
      }
      // The accepted end needs a descriptor too. With none left it would
      // wait in the kernel's queue until the deadline: refuse now instead.
      if (!canOpenDescriptor()) {
        return fail(
          Object.assign(new Error("No descriptor left for the accepted end"), {
            code: "EMFILE",
          }),
        );
      }
      this.#waiting.set(port, claim);
      // An accept loop that stopped at EMFILE polls again.
      this.handle.listen(BACKLOG);
    });
    return promise;
  }

  #accept(far: Socket): void {
    far.on("error", () => {});
    const port = far.remotePort ?? -1;
    const claim = this.#waiting.get(port);
    if (claim) {
      this.#waiting.delete(port);
      return claim(far);
    }
    this.#arrived.set(port, far);
    // Someone else's connection, or one whose near end gave up.
    const timer = setTimeout(() => {
      if (this.#arrived.get(port) !== far) return;
      this.#arrived.delete(port);
      far.destroy();
    }, UNCLAIMED_MS);
    Deno.unrefTimer(timer as unknown as number);
  }

  /** Stops listening. */
  [Symbol.dispose](): void {
    this.#server.close();
    for (const far of this.#arrived.values()) far.destroy();
    this.#arrived.clear();
  }
}

/**
 * Relays bytes between `a` and `b`, both ways, each direction pausing its
 * source while its destination's buffer is full. When either side closes,
 * the other is ended once what was relayed to it is written, and destroyed
 * then (or after a grace period, if its peer does not read).
 */
export function relay(a: Duplex, b: Duplex): void {
  follow(a, b);
  follow(b, a);
}

function follow(from: Duplex, to: Duplex): void {
  from.on("error", () => {});
  from.pipe(to, { end: false });
  from.once("close", () => {
    if (to.destroyed) return;
    const timer = setTimeout(() => to.destroy(), FLUSH_MS);
    Deno.unrefTimer(timer as unknown as number);
    to.end(() => {
      clearTimeout(timer);
      to.destroy();
    });
  });
}
