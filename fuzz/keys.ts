/**
 * The fuzzer's model of send keys (C7) on one connection: a `send` with a
 * key that this connection saw acknowledged at offset O in the same room is
 * a repeat while message O is in the history, so its `ack` names O too and
 * its own text is never posted.
 *
 * Where the model is sure the message is still kept, it holds the server
 * to O: the connection has sent no `join` or `leave` of the room since the
 * first ack (so it stayed a member, and the room could not be freed), and
 * too few messages followed O for the history to have dropped it. natter
 * keeps at least {@linkcode MIN_KEPT} of the fuzzer's messages (each well
 * under 600 bytes as the store counts it, against 128 KiB and 500
 * messages). A new offset that many past O may be the key stored again.
 *
 * @module
 */

import type { SentCommand } from "./frames.ts";
import type { Event } from "./record.ts";

/** The fewest of the fuzzer's recent messages a room's history keeps. */
export const MIN_KEPT = 200;

/** What the ledger knows of one key in one room. */
interface KeyFirst {
  /** The offset its ack named first (or again, after it was dropped). */
  offset: number;
  /** The room's era (joins and leaves sent) when that ack's send was sent. */
  era: number;
}

/**
 * One connection's keys, checked in the order its frames were sent.
 *
 * @example
 * ```ts
 * const ledger = new KeyLedger([]);
 * const send = { type: "send", id: 1, room: "a", key: "k".repeat(16) } as const;
 * ledger.acked(send, 3); // []: the first ack of the key
 * ledger.acked({ ...send, id: 2 }, 4); // one problem: 3 was owed
 * ```
 */
export class KeyLedger {
  readonly #first = new Map<string, KeyFirst>();
  readonly #eras = new Map<string, number>();
  /** The tokens that start the texts of the messages the connection got. */
  readonly #posted = new Set<string>();

  /** Creates the ledger of a connection that received `events`. */
  constructor(events: readonly Event[]) {
    for (const event of events) {
      if (event.type === "message" && typeof event.text === "string") {
        this.#posted.add(event.text.split(" ")[0]);
      }
    }
  }

  /** A command was sent: a `join` or `leave` starts a new era of its room. */
  sent(command: SentCommand): void {
    if (command.type === "join" || command.type === "leave") {
      this.#eras.set(command.room, this.#era(command.room) + 1);
    }
  }

  /**
   * A `send` was acknowledged at `offset`.
   *
   * @returns the problems found: a repeat of a kept message acknowledged
   * at another offset, or posted all the same.
   */
  acked(command: SentCommand, offset: number): string[] {
    const { key, room } = command;
    if (key === undefined) return [];
    const id = `${room} ${key}`;
    const era = this.#era(room);
    const first = this.#first.get(id);
    if (first === undefined || offset > first.offset + MIN_KEPT) {
      this.#first.set(id, { offset, era });
      return [];
    }
    const problems: string[] = [];
    if (offset === first.offset) {
      // A repeat: its own text must never have been posted.
      if (command.token !== undefined && this.#posted.has(command.token)) {
        problems.push(
          `send #${command.id} repeated key ${key} (ack ${offset}), ` +
            `yet its text "${command.token} ..." was posted`,
        );
      }
    } else if (first.era === era) {
      problems.push(
        `send #${command.id} with key ${key} in ${room} got ack ${offset}, ` +
          `not ${first.offset}, the first message's, still in the history`,
      );
    } else {
      // After a leave, the room may have been freed and the key forgotten.
      this.#first.set(id, { offset, era });
    }
    return problems;
  }

  #era(room: string): number {
    return this.#eras.get(room) ?? 0;
  }
}
