/**
 * A Batch: the messages the Hub fans out together, in their global order,
 * with the text of the frame that carries them (O1) built once and shared by
 * every client that sends it.
 *
 * @module
 */

/**
 * Messages broadcast together. The Hub offers the same Batch to every
 * client, so joining them into one frame's text costs once per batch, not
 * once per client.
 *
 * @example
 * ```ts
 * const batch = new Batch(["a", "b"]);
 * batch.frame; // "a\nb"
 * batch.slice(1).frame; // "a"
 * ```
 */
export class Batch {
  /** The messages, oldest first. */
  readonly messages: readonly string[];
  #frame?: string;

  /** Creates a batch of `messages`, which must not be empty or change. */
  constructor(messages: readonly string[]) {
    if (messages.length === 0) throw new RangeError("Cannot batch no messages");
    this.messages = messages;
  }

  /** How many messages the batch holds. */
  get size(): number {
    return this.messages.length;
  }

  /** The messages joined by a single LF, no trailing LF (O1). */
  get frame(): string {
    return this.#frame ??= this.messages.length === 1
      ? this.messages[0]
      : this.messages.join("\n");
  }

  /** A batch of the first `count` messages. */
  slice(count: number): Batch {
    return count >= this.messages.length
      ? this
      : new Batch(this.messages.slice(0, count));
  }
}
