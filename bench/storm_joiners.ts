/**
 * One thread's share of the arrival storm: its clients join one room,
 * `par` attempts at a time, each failed attempt retried after a short
 * jittered pause, and once joined each member counts the presence it
 * receives. The thread's first member also keeps every frame's size and
 * parses them, to check the cheap count against a real parse.
 *
 * @module
 */

import { Histogram } from "./histogram.ts";
import { now } from "./open.ts";
import { type Joined, joinRoom } from "./storm_client.ts";
import { countPresence, type PresenceTally } from "./storm_frames.ts";

/** What one thread's share is. */
export interface JoinersOptions {
  url: string;
  room: string;
  /** How many clients this thread has. */
  count: number;
  /** Client `i` of this thread is client `first + i * stride` of the run. */
  first: number;
  stride: number;
  /** Attempts in flight at once. */
  par: number;
  /** Milliseconds an attempt may wait for its reply. */
  timeout: number;
  /** Attempts per client before it is given up. */
  attempts: number;
  /**
   * Milliseconds before a retry: somewhere between this and twice it.
   * @default {100}
   */
  pause?: number;
}

/** What the first member of a thread received, from its `joined` on. */
export interface FirstMember {
  /** When its reply came, as `now()`. */
  joinedAt: number;
  /** UTF-8 bytes of every frame, the one with the `joined` reply included. */
  bytes: number;
  /** UTF-8 bytes of the frame with the `joined` reply alone. */
  joinedBytes: number;
  frames: number;
  /** Presence events, by parsing each frame. */
  presenceEvents: number;
  /** Presence events by the cheap count, which must agree. */
  scannedEvents: number;
}

/** A thread's counts, for the report. */
export interface JoinersReport {
  joined: number;
  attempts: number;
  /** Clients that joined, but not at their first attempt. */
  retried: number;
  /** Clients given up after every attempt failed. */
  gaveUp: number;
  /** Failed attempts, by kind. */
  failed: Record<string, number>;
  /** Members closed by the server, by close code. */
  disconnects: Record<string, number>;
  /** Join latency, µs: counts of a {@linkcode Histogram}, and its max. */
  latency: Float64Array;
  latencyMax: number;
  /** The first attempt's start and the last reply, as `now()` (0: none). */
  firstAttemptAt: number;
  lastJoinedAt: number;
  first: FirstMember | null;
  /** Per member, in the order they joined: presence characters, events. */
  presenceChars: Float64Array;
  presenceEvents: Float64Array;
}

const utf8 = new TextEncoder();

/**
 * A thread's share of the storm, from the first attempt to the report.
 *
 * @example
 * ```ts
 * const joiners = new Joiners({
 *   url: "ws://127.0.0.1:8080/ws",
 *   room: "storm",
 *   count: 100,
 *   first: 0,
 *   stride: 1,
 *   par: 10,
 *   timeout: 30_000,
 *   attempts: 5,
 * });
 * await joiners.run();
 * const report = joiners.report(); // presence counted until now
 * joiners.close();
 * ```
 */
export class Joiners {
  readonly #options: JoinersOptions;
  readonly #sockets: WebSocket[] = [];
  readonly #latency = new Histogram();
  readonly #failed: Record<string, number> = {};
  readonly #disconnects: Record<string, number> = {};
  readonly #chars: Float64Array;
  readonly #events: Float64Array;
  #joined = 0;
  #attempts = 0;
  #retried = 0;
  #gaveUp = 0;
  #firstAttemptAt = 0;
  #lastJoinedAt = 0;
  #first: FirstMember | null = null;
  #counting = true;
  #stopped = false;
  #closed = false;

  /** Prepares the share; nothing connects before {@linkcode run}. */
  constructor(options: JoinersOptions) {
    this.#options = options;
    this.#chars = new Float64Array(options.count);
    this.#events = new Float64Array(options.count);
  }

  /** How many have joined so far, and how many attempts failed. */
  get progress(): { joined: number; failed: number } {
    const failed = Object.values(this.#failed).reduce((a, b) => a + b, 0);
    return { joined: this.#joined, failed };
  }

  /** Joins every client, or gives each up; settles when all are done. */
  async run(): Promise<void> {
    const { count, par } = this.#options;
    let next = 0;
    const lane = async () => {
      while (next < count && !this.#stopped) await this.#client(next++);
    };
    await Promise.all(Array.from({ length: Math.min(par, count) }, lane));
  }

  /** Stops counting and reports; no new attempt starts after it. */
  report(): JoinersReport {
    this.#counting = false;
    this.#stopped = true;
    return {
      joined: this.#joined,
      attempts: this.#attempts,
      retried: this.#retried,
      gaveUp: this.#gaveUp,
      failed: this.#failed,
      disconnects: this.#disconnects,
      latency: this.#latency.counts,
      latencyMax: this.#latency.max,
      firstAttemptAt: this.#firstAttemptAt,
      lastJoinedAt: this.#lastJoinedAt,
      first: this.#first,
      presenceChars: this.#chars.slice(0, this.#joined),
      presenceEvents: this.#events.slice(0, this.#joined),
    };
  }

  /** Closes every member's connection, and any that joins later. */
  close(): void {
    this.#stopped = this.#closed = true;
    this.#counting = false;
    for (const socket of this.#sockets) {
      socket.onmessage = socket.onclose = null;
      socket.close();
    }
  }

  async #client(i: number): Promise<void> {
    const { url, room, first, stride, timeout, attempts } = this.#options;
    const pause = this.#options.pause ?? 100;
    const nick = `u${first + i * stride}`;
    for (let attempt = 1; !this.#stopped; attempt++) {
      this.#attempts++;
      this.#firstAttemptAt ||= now();
      const outcome = await joinRoom(
        { url, room, nick, timeout },
        (joined) => this.#member(joined, attempt),
      );
      if ("socket" in outcome) return;
      const kind = outcome.failure;
      this.#failed[kind] = (this.#failed[kind] ?? 0) + 1;
      if (attempt === attempts) {
        this.#gaveUp++;
        return;
      }
      await new Promise((r) => setTimeout(r, pause * (1 + Math.random())));
    }
  }

  /** Takes on a joined connection: its latency, then its presence. */
  #member(joined: Joined, attempt: number): void {
    const { socket, frame, at, started, answered } = joined;
    if (this.#closed) return socket.close();
    if (attempt > 1) this.#retried++;
    this.#sockets.push(socket);
    const i = this.#joined++;
    this.#latency.record((answered - started) * 1000);
    this.#lastJoinedAt = answered;
    const tally: PresenceTally = { events: 0, chars: 0 };
    const count = (data: string, from: number) => {
      countPresence(data, from, tally);
      this.#chars[i] = tally.chars;
      this.#events[i] = tally.events;
    };
    const first = this.#first ? undefined : this.#firstMember(answered);
    count(frame, at);
    if (first) {
      first.joinedBytes = utf8.encode(frame).byteLength;
      this.#parse(first, frame, tally);
    }
    socket.onmessage = (event) => {
      if (!this.#counting) return;
      count(event.data, 0);
      if (first) this.#parse(first, event.data, tally);
    };
    socket.onclose = (event) => {
      const key = String(event.code);
      this.#disconnects[key] = (this.#disconnects[key] ?? 0) + 1;
    };
  }

  #firstMember(joinedAt: number): FirstMember {
    return this.#first = {
      joinedAt,
      bytes: 0,
      joinedBytes: 0,
      frames: 0,
      presenceEvents: 0,
      scannedEvents: 0,
    };
  }

  /** The first member's frame, measured and parsed in full. */
  #parse(first: FirstMember, frame: string, tally: PresenceTally): void {
    first.frames++;
    first.bytes += utf8.encode(frame).byteLength;
    const events = JSON.parse(frame) as { type: string }[];
    // In the frame of the reply, only what follows the reply is news.
    const from = events.findIndex((e) => e.type === "joined") + 1;
    for (const event of events.slice(from)) {
      if (event.type === "presence") first.presenceEvents++;
    }
    first.scannedEvents = tally.events;
  }
}
