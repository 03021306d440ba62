/**
 * The Relay: how Hubs in several workers keep one global order (I4) when
 * each owns only its own connections.
 *
 * A Hub with a relay does not fan out its clients' messages itself: it
 * publishes them, and fans out what the relay hands back, in the order the
 * relay decided, which is the same order for every Hub. The
 * {@linkcode Sequencer} is that decision: whatever reaches it first is first
 * for everyone.
 *
 * @module
 */

/** What a Hub needs to share one order with other Hubs. */
export interface Relay {
  /** Hands messages from this Hub's clients to be put in the order. */
  publish(messages: readonly string[]): void;
  /**
   * Sets where messages come back, in the global order, every Hub's
   * included: the Hub fans out exactly these.
   */
  listen(deliver: (messages: readonly string[]) => void): void;
}

/**
 * One order for many Hubs: every listener receives every batch it is given,
 * in the order it was given them.
 *
 * @example
 * ```ts
 * const sequencer = new Sequencer();
 * const a = new Hub({ relay: sequencer.relay() });
 * const b = new Hub({ relay: sequencer.relay() });
 * // A message from a client of either Hub reaches the clients of both,
 * // and both see all messages in the same order.
 * ```
 */
export class Sequencer {
  readonly #listeners: ((messages: readonly string[]) => void)[] = [];

  /** Adds a listener that receives every batch from now on. */
  listen(deliver: (messages: readonly string[]) => void): void {
    this.#listeners.push(deliver);
  }

  /** Puts `messages` next in the order and hands them to every listener. */
  order(messages: readonly string[]): void {
    for (const deliver of this.#listeners) deliver(messages);
  }

  /** A relay for a Hub in this thread. */
  relay(): Relay {
    return {
      publish: (messages) => this.order(messages),
      listen: (deliver) => this.listen(deliver),
    };
  }
}
