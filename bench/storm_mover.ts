/**
 * A client of the two-node storm: it joins a room on one node, and when
 * that node closes it, rejoins on the other with `since` (docs/protocol.md
 * C2) after a jittered pause that doubles at each failed attempt. It checks
 * that the offsets it sees, live and in the rejoin's history, run on by one
 * with no gap and no repeat across the move.
 *
 * @module
 */

import { type Joined, joinRoom } from "./storm_client.ts";
import { messageOffsets } from "./storm_frames.ts";

/** How a mover joins: the room, its nick, and an attempt's deadline. */
export interface MoverOptions {
  room: string;
  nick: string;
  /** Milliseconds an attempt may wait for its reply. */
  timeout: number;
}

/** Failed attempts, counted by kind. */
export type Failures = Record<string, number>;

/** Milliseconds before the first attempt to rejoin: 500 to 1500. */
const FIRST_PAUSE = 500;
/** The longest pause between two attempts. */
const MAX_PAUSE = 8000;

// deno-lint-ignore no-explicit-any
type Event = Record<string, any>;

/**
 * One client, from its join on the first node to its rejoin on the second.
 *
 * @example
 * ```ts
 * const failed: Failures = {};
 * const mover = new Mover({ room: "storm", nick: "m1", timeout: 30_000 });
 * if (await mover.join("ws://127.0.0.1:8081/ws", failed)) {
 *   mover.onClose = () => mover.rejoin("ws://127.0.0.1:8082/ws", failed);
 * }
 * ```
 */
export class Mover {
  /** The room's epoch, from the first `joined`. */
  epoch = "";
  /** The newest offset seen. */
  last = 0;
  /** Offsets that skipped past `last + 1`, and offsets seen again. */
  gaps = 0;
  duplicates = 0;
  /** The code the first node closed it with, once it did. */
  closedWith?: number;
  /** When the rejoin's reply came (`performance.now()`), and what it said. */
  rejoinedAt = 0;
  recovered?: boolean;
  /** Called when the connection closes, with its code. */
  onClose?: (code: number) => void;
  readonly #options: MoverOptions;
  #socket?: WebSocket;
  #closing = false;

  /** A mover not yet connected. */
  constructor(options: MoverOptions) {
    this.#options = options;
  }

  /**
   * Joins at `url` without `since`; `false` if the attempt failed, which
   * is counted in `failed`.
   */
  async join(url: string, failed: Failures): Promise<boolean> {
    const outcome = await this.#attempt(url, failed, undefined, (reply) => {
      this.epoch = reply.epoch;
      this.last = reply.offset;
    });
    return "socket" in outcome;
  }

  /**
   * Rejoins at `url` with `since` the epoch and the last offset seen,
   * after a pause of 0.5 to 1.5 s that doubles at each failed attempt,
   * until it is in or `signal` is aborted. Failed attempts are counted in
   * `failed`.
   */
  async rejoin(
    url: string,
    failed: Failures,
    signal?: AbortSignal,
  ): Promise<void> {
    let pause = FIRST_PAUSE * (1 + Math.random() * 2);
    while (!signal?.aborted && !this.#closing) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      const since = { epoch: this.epoch, offset: this.last };
      const outcome = await this.#attempt(url, failed, since, (reply) => {
        this.rejoinedAt = performance.now();
        this.recovered = reply.recovered === true &&
          reply.epoch === this.epoch;
        for (const message of reply.history) this.see(message.offset);
      });
      if ("socket" in outcome) return;
      pause = Math.min(pause * 2, MAX_PAUSE);
    }
  }

  /** Counts one message's offset against the last one seen. */
  see(offset: number): void {
    if (offset <= this.last) this.duplicates++;
    else if (offset > this.last + 1) this.gaps++;
    this.last = Math.max(this.last, offset);
  }

  /** Closes the connection for good; no rejoin follows. */
  close(): void {
    this.#closing = true;
    const socket = this.#socket;
    if (!socket) return;
    socket.onmessage = socket.onclose = null;
    socket.close();
  }

  /** One attempt; `reply` reads the `joined` event if it succeeds. */
  async #attempt(
    url: string,
    failed: Failures,
    since: { epoch: string; offset: number } | undefined,
    reply: (event: Event) => void,
  ) {
    const { room, nick, timeout } = this.#options;
    const outcome = await joinRoom(
      { url, room, nick, since, timeout },
      (joined) => this.#adopt(joined, reply),
    );
    if ("failure" in outcome) {
      failed[outcome.failure] = (failed[outcome.failure] ?? 0) + 1;
    }
    return outcome;
  }

  /**
   * Takes on a joined connection, in the event that brought the reply:
   * `reply` reads the `joined` event, then the events after it in the same
   * frame and every later frame count.
   */
  #adopt(joined: Joined, reply: (event: Event) => void): void {
    const { socket, frame } = joined;
    if (this.#closing) return socket.close();
    this.#socket = socket;
    const events = JSON.parse(frame) as Event[];
    const at = events.findIndex((e) => e.type === "joined");
    reply(events[at]);
    for (const event of events.slice(at + 1)) {
      if (event.type === "message") this.see(event.offset);
    }
    socket.onmessage = (event) =>
      messageOffsets(event.data, (offset) => this.see(offset));
    socket.onclose = (event) => {
      this.#socket = undefined;
      this.closedWith ??= event.code;
      this.onClose?.(event.code);
    };
  }
}
