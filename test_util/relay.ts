/**
 * Test helper: a TCP relay between clients and a natter server, which a
 * test can cut (every connection through it breaks at once, as when a
 * network drops), point at another server (a restart, another node), and
 * make deaf (what the server sends is lost on the way, so that commands
 * reach the server but their answers never reach the client).
 *
 * @module
 */

/** A client's connection and the relay's connection to the server. */
interface Pair {
  readonly client: Deno.Conn;
  readonly server: Deno.Conn;
}

/**
 * A relay on 127.0.0.1 and a free port.
 *
 * @example
 * ```ts
 * import { startServer } from "./natter.ts";
 *
 * await using server = startServer();
 * await using relay = Relay.start(server.addr.port);
 * const socket = new WebSocket(relay.wsUrl, "natter.v1");
 * relay.cut(); // the socket closes as if the network had failed
 * ```
 */
export class Relay implements AsyncDisposable {
  /** The port the server being relayed to listens on. */
  target: number;
  readonly #listener: Deno.Listener<Deno.TcpConn, Deno.NetAddr>;
  readonly #pairs = new Set<Pair>();
  readonly #accepting: Promise<void>;
  readonly #pumps = new Set<Promise<void>>();
  #deaf = false;
  #connections = 0;

  private constructor(target: number) {
    this.target = target;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#accepting = this.#accept();
  }

  /** Starts a relay to the server on `target` (a port of 127.0.0.1). */
  static start(target: number): Relay {
    return new Relay(target);
  }

  /** The port clients connect to. */
  get port(): number {
    return this.#listener.addr.port;
  }

  /** `ws://127.0.0.1:PORT/ws`, natter's endpoint through the relay. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  /** How many connections came through, in all. */
  get connections(): number {
    return this.#connections;
  }

  /** How many connections are open through it now. */
  get open(): number {
    return this.#pairs.size;
  }

  /**
   * From now until the next {@linkcode cut}, drops what servers send: the
   * client's commands still arrive, and nothing comes back.
   */
  deafen(): void {
    this.#deaf = true;
  }

  /** Breaks every connection through it; new ones are relayed as before. */
  cut(): void {
    this.#deaf = false;
    for (const pair of this.#pairs) this.#close(pair);
  }

  /** Stops listening and breaks every connection. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#listener.close();
    this.cut();
    await this.#accepting;
    await Promise.all(this.#pumps);
  }

  async #accept(): Promise<void> {
    while (true) {
      let client: Deno.Conn;
      try {
        client = await this.#listener.accept();
      } catch {
        return; // The listener was closed.
      }
      this.#connections++;
      this.#track(this.#connect(client));
    }
  }

  async #connect(client: Deno.Conn): Promise<void> {
    let server: Deno.Conn;
    try {
      server = await Deno.connect({ hostname: "127.0.0.1", port: this.target });
    } catch {
      // Nothing listens there: the client sees its connection refused.
      client.close();
      return;
    }
    const pair = { client, server };
    this.#pairs.add(pair);
    await Promise.all([
      this.#pump(client, server, pair, false),
      this.#pump(server, client, pair, true),
    ]);
  }

  /** Copies `from` to `to` until either ends; then breaks the pair. */
  async #pump(
    from: Deno.Conn,
    to: Deno.Conn,
    pair: Pair,
    downstream: boolean,
  ): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await from.read(buffer);
        if (n === null) break;
        if (downstream && this.#deaf) continue;
        let written = 0;
        while (written < n) {
          written += await to.write(buffer.subarray(written, n));
        }
      }
    } catch {
      // The pair was cut, or one side broke: both go.
    }
    this.#close(pair);
  }

  #close(pair: Pair): void {
    if (!this.#pairs.delete(pair)) return;
    for (const conn of [pair.client, pair.server]) {
      try {
        conn.close();
      } catch {
        // Closed already.
      }
    }
  }

  #track(pump: Promise<void>): void {
    this.#pumps.add(pump);
    pump.finally(() => this.#pumps.delete(pump));
  }
}
