/**
 * The Hub: the one owner of the set of registered clients (A1), fed through
 * three channels, register, unregister and broadcast (A2).
 *
 * The Hub never touches a WebSocket and never awaits a client: it sees each
 * client as a {@linkcode Subscriber}, offers it messages without waiting, and
 * lets it go when its queue is full (A5).
 *
 * Messages are fanned out a turn of the event loop at a time: once woken, the
 * Hub lets the turn finish, so every message that arrived in it is offered to
 * each client as one {@linkcode Batch}. A client that keeps up then writes
 * one frame per turn whose text was joined once for all clients (O1).
 *
 * @module
 */

import { setImmediate } from "node:timers";
import { Batch } from "./batch.ts";
import { Channel, select } from "./channel.ts";
import type { Relay } from "./relay.ts";

/**
 * Resolves once the event loop has turned: after the I/O that was ready,
 * including the writes of what the sockets were handed, with no timer
 * clamping.
 */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** How a client is told to close when the Hub lets it go. */
export interface CloseReason {
  /** A WebSocket close code, for example 1008. */
  code: number;
  /** A short reason for the peer, at most 123 bytes of UTF-8. */
  reason: string;
}

/** What the Hub needs of a client: a queue to offer to, and a way to let go. */
export interface Subscriber {
  /**
   * Queues as many of `batch`'s messages as fit, in order, without waiting;
   * `false` when some did not fit because the queue is full.
   */
  offer(batch: Batch): boolean;
  /**
   * Called exactly once when the Hub removes the client. Without `close` the
   * client asked to leave; with it, the Hub evicted it or is shutting down and
   * the client should close its connection with that code and reason after
   * handing over what is already queued.
   */
  release(close?: CloseReason): void;
}

/** Options for {@linkcode Hub}. */
export interface HubOptions {
  /**
   * How many register, unregister and broadcast requests may wait for the Hub
   * in each channel before senders have to wait. The Hub takes its messages
   * once per turn of the event loop, and one turn can bring thousands: after
   * a pause (a cold start, a busy core) Deno hands over everything the
   * sockets buffered meanwhile. The broadcast channel must hold such a turn,
   * or senders that are merely bursty are closed as too fast; 8192 messages
   * of at most 512 bytes bound it to a few MiB.
   * @default {8192}
   */
  backlog?: number;
  /**
   * The most messages offered to clients as one batch. Between batches the
   * clients' writers run and the event loop turns, so a burst larger than
   * this reaches a client that keeps up in several frames, each written out
   * before the next, instead of overflowing its queue. At most the clients'
   * queue size.
   * @default {256}
   */
  maxBatch?: number;
  /**
   * Where to put this Hub's messages in one order with other Hubs' (workers
   * of one server). Without it the Hub's own order is the global one.
   */
  relay?: Relay;
}

/** The close sent to a client evicted because its queue was full (A5, D5). */
export const QUEUE_FULL: CloseReason = {
  code: 1008,
  reason: "send queue full",
};

/** The close sent to every client still registered when the Hub closes. */
export const GOING_AWAY: CloseReason = {
  code: 1001,
  reason: "server shutting down",
};

/**
 * The Hub actor. It starts running when constructed and stops when closed.
 *
 * @example
 * ```ts
 * const hub = new Hub();
 * hub.register.trySend(subscriber);
 * hub.broadcast.trySend("hello"); // subscriber.offer(Batch ["hello"])
 * await hub.close();
 * ```
 */
export class Hub implements AsyncDisposable {
  /** Clients to add to the set. */
  readonly register: Channel<Subscriber>;
  /** Clients to remove from the set; removing one twice is harmless (A6). */
  readonly unregister: Channel<Subscriber>;
  /** Messages to offer to every registered client, in this order (I4). */
  readonly broadcast: Channel<string>;
  readonly #clients = new Set<Subscriber>();
  readonly #maxBatch: number;
  readonly #relay?: Relay;
  /** Messages back from the relay, in the global order. */
  readonly #ordered: Channel<readonly string[]>;
  readonly #done: Promise<void>;

  /** Creates a Hub and starts its loop. */
  constructor(options: HubOptions = {}) {
    const backlog = options.backlog ?? 8192;
    this.register = new Channel(backlog);
    this.unregister = new Channel(backlog);
    this.broadcast = new Channel(backlog);
    this.#maxBatch = options.maxBatch ?? 256;
    this.#ordered = new Channel(backlog);
    this.#relay = options.relay;
    // Every batch the relay orders must be fanned out, so it waits for room
    // rather than being refused; waiting senders keep their order.
    this.#relay?.listen((messages) => {
      this.#ordered.send(messages).catch(() => {});
    });
    this.#done = this.#run();
  }

  /** How many clients are registered now. */
  get size(): number {
    return this.#clients.size;
  }

  /**
   * Stops taking requests, handles what is already queued, then releases
   * every client still registered with {@linkcode GOING_AWAY}.
   *
   * @returns a promise that settles when the loop has ended.
   */
  close(): Promise<void> {
    this.register.close();
    this.unregister.close();
    this.broadcast.close();
    this.#ordered.close();
    return this.#done;
  }

  /** Same as {@linkcode Hub.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #run(): Promise<void> {
    const channels = [
      this.register,
      this.unregister,
      this.broadcast,
      this.#ordered,
    ];
    for (;;) {
      await select(channels);
      // Let the rest of this turn's I/O arrive first: setImmediate runs
      // after the ready sockets' events, with no timer clamping.
      await nextTurn();
      for (const client of this.register.takeAll()) this.#clients.add(client);
      for (const client of this.unregister.takeAll()) this.#remove(client);
      const messages = this.#next();
      for (let i = 0; i < messages.length; i += this.#maxBatch) {
        // The writers woken by the last batch have handed it to their sockets;
        // Deno writes it out only when the event loop turns. Without the turn
        // every batch of a big burst would count as unsent at once, pausing
        // (and then evicting) clients that keep up perfectly well.
        if (i > 0) await nextTurn();
        const part = messages.length <= this.#maxBatch
          ? messages
          : messages.slice(i, i + this.#maxBatch);
        this.#fanOut(new Batch(part));
      }
      if (channels.every((c) => c.closed && c.size === 0)) break;
    }
    for (const client of this.#clients) this.#remove(client, GOING_AWAY);
  }

  /** The messages to fan out now, in the global order. */
  #next(): readonly string[] {
    const local = this.broadcast.takeAll();
    if (!this.#relay) return local;
    if (local.length > 0) this.#relay.publish(local);
    return this.#ordered.takeAll().flat();
  }

  #fanOut(batch: Batch): void {
    for (const client of this.#clients) {
      if (!client.offer(batch)) this.#remove(client, QUEUE_FULL);
    }
  }

  #remove(client: Subscriber, close?: CloseReason): void {
    if (this.#clients.delete(client)) client.release(close);
  }
}
