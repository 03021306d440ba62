/**
 * The fuzzer's clients: four natter.v1 connections and two plain ones that
 * read, and one of each that never reads, kept in slots and reopened at
 * random; and the random step that sends one of them a pipelined burst.
 * Every step goes into the trace, so that a failure can be replayed by
 * hand.
 *
 * @module
 */

import { deadline } from "../test_util/natter.ts";
import { FuzzConnection } from "./connection.ts";
import { resend, roomBurst, storm } from "./bursts.ts";
import {
  commandFrame,
  describe,
  type FrameSource,
  type FuzzFrame,
  plainFrame,
} from "./frames.ts";
import { malformedFrame } from "./malformed.ts";
import type { ConnectionRecord, Event } from "./record.ts";
import type { Random } from "./random.ts";
import { pause } from "../util/turns.ts";

const V1_SLOTS = 4;
const SETTLE_MS = 5_000;
const RECONNECT_SETTLE_MS = 1_000;
const STALLED = ["stall-v1", "stall-plain"];
const PLAIN_PATHS: Record<string, string> = {
  "plain-0": "/ws",
  "plain-1": "/ws/a",
};

/**
 * The clients of one run, against natter on `port`.
 *
 * @example
 * ```ts
 * import { seeded } from "./random.ts";
 *
 * const clients = new Clients(8080, seeded(1));
 * await clients.start();
 * for (let step = 0; step < 100; step++) await clients.step(step);
 * const records = await clients.close();
 * ```
 */
export class Clients {
  /** Every step, in order. */
  readonly trace: string[] = [];
  /** Writes that did not go through: natter stopped reading a socket. */
  readonly problems: string[] = [];
  readonly #port: number;
  readonly #random: Random;
  readonly #source: FrameSource;
  readonly #slots = new Map<string, FuzzConnection>();
  /** The records of connections already closed. */
  readonly #records: ConnectionRecord[] = [];
  #generation = 0;
  #calm = false;

  /** Creates the clients, none connected yet, choosing with `random`. */
  constructor(port: number, random: Random) {
    this.#port = port;
    this.#random = random;
    let ids = 0;
    this.#source = {
      random,
      knowledge: { positions: new Map(), clients: [], keys: [] },
      nextId: () => random.chance(0.2) ? `s${++ids}` : ++ids,
    };
  }

  /** Connects every slot. */
  async start(): Promise<void> {
    for (let i = 0; i < V1_SLOTS; i++) await this.#reopen(`v1-${i}`);
    for (const slot of ["plain-0", "plain-1", ...STALLED]) {
      await this.#reopen(slot);
    }
  }

  /** Takes step number `step`: one random burst, reconnect or pause. */
  async step(step: number): Promise<void> {
    const random = this.#random;
    if (step % 40 === 0) this.#calm = random.chance(0.5);
    const roll = random.next();
    if (roll < 0.6) {
      const slot = `v1-${random.int(V1_SLOTS)}`;
      await this.#send(slot, this.#v1Burst());
    } else if (roll < 0.75) {
      const slot = random.pick(["plain-0", "plain-1"]);
      const length = random.between(1, 3);
      const frames = Array.from({ length }, () => plainFrame(this.#source));
      await this.#send(slot, frames);
    } else if (roll < 0.85) {
      await this.#send("stall-v1", this.#unreadHistory());
    } else if (roll < 0.89) {
      await this.#reopen(`v1-${random.int(V1_SLOTS)}`);
    } else if (roll < 0.95) {
      await this.#reopen(random.pick(["plain-0", "plain-1", ...STALLED]));
    } else {
      await pause(random.int(50));
    }
    await pause(this.#calm ? random.between(10, 40) : random.int(4));
  }

  /** Waits until every reading connection got what it is owed, or a while. */
  settle(): Promise<void> {
    return settle([...this.#slots.values()]);
  }

  /** Closes every connection, and returns every connection's record. */
  async close(): Promise<ConnectionRecord[]> {
    for (const connection of this.#slots.values()) {
      await connection.close();
      this.#records.push(connection.record);
    }
    this.#slots.clear();
    return this.#records;
  }

  /**
   * Mostly commands, sometimes a room's burst, a send repeated at once
   * (C7), or a storm past budgets.
   */
  #v1Burst(): FuzzFrame[] {
    const random = this.#random;
    const source = this.#source;
    const kind = random.next();
    if (kind < 0.03) return storm(source);
    if (kind < 0.2) return roomBurst(source);
    if (kind < 0.26) return resend(source);
    return Array.from(
      { length: random.between(1, 6) },
      () => random.chance(0.85) ? commandFrame(source) : malformedFrame(source),
    );
  }

  /** History reads for the connection that never reads its replies. */
  #unreadHistory(): FuzzFrame[] {
    return Array.from({ length: this.#random.between(1, 5) }, () => ({
      text: JSON.stringify({
        type: "history",
        room: "lobby",
        before: 1_000_000,
        id: this.#source.nextId(),
      }),
      expect: { kind: "anonymous" as const, code: "unchecked" },
    }));
  }

  /** Learns rooms' positions and clients' ids from what the server sent. */
  readonly #learn = (event: Event): void => {
    const { knowledge } = this.#source;
    if (event.type === "joined" && typeof event.epoch === "string") {
      knowledge.positions.set(event.room, {
        epoch: event.epoch,
        offset: event.offset,
      });
      if (knowledge.clients.length < 64) knowledge.clients.push(event.client);
    } else if (event.type === "message" || event.type === "ack") {
      const known = knowledge.positions.get(event.room);
      if (known) known.offset = Math.max(known.offset, event.offset);
    }
  };

  async #open(
    slot: string,
    mode: "v1" | "plain",
    reads: boolean,
    path?: string,
  ): Promise<FuzzConnection> {
    const label = `${slot}#${++this.#generation}`;
    this.trace.push(
      `open ${label} ${mode}${reads ? "" : " (never reads)"} ${path ?? "/ws"}`,
    );
    return await FuzzConnection.open(this.#port, label, {
      mode,
      reads,
      path,
      onEvent: this.#learn,
    });
  }

  async #reopen(slot: string): Promise<FuzzConnection> {
    const old = this.#slots.get(slot);
    if (old) {
      await settle([old], RECONNECT_SETTLE_MS);
      await old.close();
      this.#records.push(old.record);
    }
    const connection = slot.startsWith("v1")
      ? await this.#open(slot, "v1", true)
      : slot === "stall-v1"
      ? await this.#open(slot, "v1", false)
      : slot === "stall-plain"
      ? await this.#open(slot, "plain", false, "/ws/lobby")
      : await this.#open(slot, "plain", true, PLAIN_PATHS[slot]);
    this.#slots.set(slot, connection);
    if (slot === "stall-v1") {
      const joins = ["lobby", "a"].map((room) =>
        commandFrame(this.#source, { room, type: "join" })
      );
      await this.#write(slot, connection, joins);
    }
    return connection;
  }

  /** Sends `frames` on `slot`'s connection, reopened first if it closed. */
  async #send(slot: string, frames: FuzzFrame[]): Promise<void> {
    let connection = this.#slots.get(slot)!;
    // The connection that never reads is not reopened but by a step of its
    // own: what it sends after its close is simply not written.
    if (!connection.open && !STALLED.includes(slot)) {
      connection = await this.#reopen(slot);
    }
    await this.#write(slot, connection, frames);
  }

  async #write(
    slot: string,
    connection: FuzzConnection,
    frames: FuzzFrame[],
  ): Promise<void> {
    this.trace.push(
      `${connection.record.label}: ${frames.map(describe).join(" | ")}`,
    );
    try {
      await deadline(connection.send(frames), `${slot} to write`);
    } catch (error) {
      // natter reads every socket whatever it writes to it: a write that
      // does not go through for the deadline means it stopped reading.
      this.problems.push(
        `${connection.record.label}: ${(error as Error).message}`,
      );
      await connection.close();
    }
  }
}

/** Waits until every reading connection has got what it is owed, or a while. */
async function settle(
  connections: FuzzConnection[],
  ms = SETTLE_MS,
): Promise<void> {
  const start = Date.now();
  for (let i = 0; i < ms / 20 && Date.now() - start < ms; i++) {
    const owed = connections.filter((c) =>
      c.open && c.record.reads && c.pending() > 0
    );
    if (owed.length === 0) return;
    await pause(20);
  }
}
