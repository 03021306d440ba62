/**
 * The intake: where inbound messages wait when the Hub's broadcast channel
 * is full, and natter's policy for overload.
 *
 * A WebSocket in Deno cannot be told to stop reading, so a sender cannot be
 * slowed down: whatever it sends arrives, and has to be kept, delivered or
 * refused. The intake keeps it, up to a bound shared by all senders:
 *
 * - a burst waits here until the Hub has room, however bursty the sender;
 * - senders take turns: each has its own queue, and the Hub gets one message
 *   from each waiting sender in turn, so one sender's burst does not hold
 *   back the others' messages;
 * - when the bound is exceeded, the sender with the most messages waiting
 *   (necessarily above its fair share, the bound divided by the senders
 *   waiting) is closed with 1008 "sending too fast", and what it had waiting
 *   is dropped. Nothing else is ever dropped: every message the intake keeps
 *   reaches every client that keeps up, and the only sender that loses
 *   messages is the one that is told so by its close.
 *
 * @module
 */

import type { Channel } from "../util/channel.ts";
import { type CloseReason, TOO_FAST } from "../util/close_reasons.ts";
import { DEFAULTS } from "../settings/settings.ts";

export { TOO_FAST } from "../util/close_reasons.ts";

/** What the intake needs of a sender: a way to close it. */
export interface Speaker {
  /** Closes the sender's connection with `close`: it sent too much. */
  refuse(close: CloseReason): void;
}

/** Options for {@linkcode Intake}. */
export interface IntakeOptions<T> {
  /**
   * How many messages may wait, all senders together, besides those the
   * broadcast channel holds. With the Hub's 8192 that is 24576 messages of
   * at most 512 bytes (`--max-message-size`) per Hub: 12 MiB of text.
   * @default {16384}
   */
  capacity?: number;
  /**
   * Told of each message dropped because the Hub closed before taking it,
   * so that a sender waiting to hear of it is not left waiting.
   */
  onDrop?: (message: T) => void;
}

/** One sender's waiting messages, oldest first. */
class Queue<T> {
  items: T[] = [];
  head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(message: T): void {
    this.items.push(message);
  }

  shift(): T {
    const message = this.items[this.head++];
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return message;
  }
}

/**
 * The intake of one Hub's broadcast channel.
 *
 * @example
 * ```ts
 * import { Channel } from "../util/channel.ts";
 *
 * const broadcast = new Channel<string>(8192);
 * const intake = new Intake(broadcast);
 * const sender = { refuse: () => console.log("sending too fast") };
 * intake.offer(sender, "hello"); // into the channel, or waiting its turn
 * ```
 */
export class Intake<T> {
  readonly #target: Channel<T>;
  readonly #capacity: number;
  readonly #onDrop?: (message: T) => void;
  readonly #queues = new Map<Speaker, Queue<T>>();
  /** Senders with messages waiting, in the order they take turns. */
  #turns: Speaker[] = [];
  #turn = 0;
  #waiting = 0;
  /** Set while one message waits inside the channel for room. */
  #blocked = false;

  /** Creates the intake of `target`, a Hub's broadcast channel. */
  constructor(target: Channel<T>, options: IntakeOptions<T> = {}) {
    const capacity = options.capacity ?? DEFAULTS.maxWaiting;
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot create intake: capacity "${capacity}" is not a positive integer`,
      );
    }
    this.#target = target;
    this.#capacity = capacity;
    this.#onDrop = options.onDrop;
  }

  /** How many messages wait here now, besides those in the channel. */
  get size(): number {
    return this.#waiting;
  }

  /**
   * Hands `message` from `speaker` to the channel, or keeps it until there
   * is room, after what `speaker` already has waiting. If that makes too many
   * wait, the sender with the most waiting is refused with
   * {@linkcode TOO_FAST} and its waiting messages dropped.
   *
   * @returns `false` when `speaker` itself was refused and `message` dropped.
   */
  offer(speaker: Speaker, message: T): boolean {
    if (this.#waiting === 0 && !this.#blocked) {
      if (this.#target.trySend(message)) return true;
    }
    let queue = this.#queues.get(speaker);
    if (!queue) {
      queue = new Queue<T>();
      this.#queues.set(speaker, queue);
      this.#turns.push(speaker);
    }
    queue.push(message);
    this.#waiting++;
    if (this.#waiting > this.#capacity) {
      const refused = this.#heaviest();
      this.#drop(refused);
      refused.refuse(TOO_FAST);
      if (refused === speaker) return false;
    }
    this.#drain();
    return true;
  }

  /** The sender with the most messages waiting. */
  #heaviest(): Speaker {
    let heaviest = this.#turns[0];
    let most = 0;
    for (const [speaker, queue] of this.#queues) {
      if (queue.size > most) [heaviest, most] = [speaker, queue.size];
    }
    return heaviest;
  }

  /** Forgets what `speaker` has waiting. */
  #drop(speaker: Speaker): void {
    const queue = this.#queues.get(speaker);
    if (!queue) return;
    this.#waiting -= queue.size;
    this.#queues.delete(speaker);
    const i = this.#turns.indexOf(speaker);
    this.#turns.splice(i, 1);
    if (this.#turn > i) this.#turn--;
  }

  /** The next message in turn, taken out of its sender's queue. */
  #next(): T {
    if (this.#turn >= this.#turns.length) this.#turn = 0;
    const speaker = this.#turns[this.#turn];
    const queue = this.#queues.get(speaker)!;
    const message = queue.shift();
    this.#waiting--;
    if (queue.size === 0) {
      this.#queues.delete(speaker);
      this.#turns.splice(this.#turn, 1);
    } else {
      this.#turn++;
    }
    return message;
  }

  /**
   * Moves waiting messages into the channel while it has room; then lets
   * the next one wait inside the channel, and goes on once it is taken.
   */
  #drain(): void {
    if (this.#blocked) return;
    while (this.#waiting > 0) {
      // The Hub has closed: nothing waiting will be delivered.
      if (this.#target.closed) return this.#clear();
      if (this.#target.size >= this.#target.capacity) {
        this.#blocked = true;
        const message = this.#next();
        this.#target.send(message).then(
          () => {
            this.#blocked = false;
            this.#drain();
          },
          () => {
            this.#onDrop?.(message);
            this.#clear();
          },
        );
        return;
      }
      this.#target.trySend(this.#next());
    }
  }

  #clear(): void {
    this.#blocked = false;
    const onDrop = this.#onDrop;
    if (onDrop) {
      for (const queue of this.#queues.values()) {
        while (queue.size > 0) onDrop(queue.shift());
      }
    }
    this.#queues.clear();
    this.#turns = [];
    this.#turn = 0;
    this.#waiting = 0;
  }
}
