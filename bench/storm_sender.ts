/**
 * The sender of the two-node storm: one natter.v1 client that posts to the
 * room at a steady rate and keeps the newest offset acknowledged, which
 * every other member must reach.
 *
 * @module
 */

import { joinRoom } from "./storm_client.ts";

/**
 * A client that posts `rate` messages a second once started.
 *
 * @example
 * ```ts
 * const sender = await Sender.join("ws://127.0.0.1:8082/ws", "storm", 30_000);
 * sender.start(20);
 * await new Promise((resolve) => setTimeout(resolve, 1000));
 * sender.stop();
 * console.log(sender.sent, sender.acked, sender.offset);
 * sender.close();
 * ```
 */
export class Sender {
  /** Messages sent, acknowledged, and refused with an `error`. */
  sent = 0;
  acked = 0;
  refused = 0;
  /** The newest offset acknowledged. */
  offset = 0;
  readonly #socket: WebSocket;
  readonly #room: string;
  #timer?: ReturnType<typeof setInterval>;

  private constructor(socket: WebSocket, room: string) {
    this.#socket = socket;
    this.#room = room;
    socket.onmessage = ({ data }) => {
      for (const event of JSON.parse(data) as Record<string, unknown>[]) {
        if (event.type === "ack") {
          this.acked++;
          this.offset = Math.max(this.offset, Number(event.offset));
        } else if (event.type === "error") this.refused++;
      }
    };
  }

  /** Joins `room` at `url`; throws if the join fails. */
  static async join(
    url: string,
    room: string,
    timeout: number,
  ): Promise<Sender> {
    let sender: Sender | undefined;
    const outcome = await joinRoom(
      { url, room, nick: "sender", timeout },
      ({ socket }) => sender = new Sender(socket, room),
    );
    if ("failure" in outcome) {
      throw new Error(`The sender cannot join "${room}": ${outcome.failure}`);
    }
    return sender!;
  }

  /** Whether every message sent has been answered. */
  get answered(): boolean {
    return this.acked + this.refused >= this.sent;
  }

  /** Posts `rate` messages a second until {@linkcode stop}. */
  start(rate: number): void {
    const room = this.#room;
    this.#timer = setInterval(() => {
      const id = ++this.sent;
      const text = `storm move ${id}`;
      this.#socket.send(JSON.stringify({ type: "send", id, room, text }));
    }, 1000 / rate);
  }

  /** Stops posting. */
  stop(): void {
    clearInterval(this.#timer);
  }

  /** Stops posting and closes the connection. */
  close(): void {
    this.stop();
    this.#socket.onmessage = null;
    this.#socket.close();
  }
}
