/**
 * A memory store whose appends wait until the test lets them through: a
 * room whose store is slow, so that what waits for it piles up.
 *
 * @module
 */

import { MemoryStore } from "../store/memory.ts";

/**
 * A {@linkcode MemoryStore} whose appends wait until `release()`.
 *
 * @example
 * ```ts
 * const store = new HeldStore();
 * store.release(); // every append, waiting or to come, goes through
 * ```
 */
export class HeldStore extends MemoryStore {
  readonly #gate = Promise.withResolvers<void>();

  /** Appends once released; see {@linkcode MemoryStore.append}. */
  override async append(
    ...args: Parameters<MemoryStore["append"]>
  ): ReturnType<MemoryStore["append"]> {
    await this.#gate.promise;
    return await super.append(...args);
  }

  /** Lets every append through. */
  release(): void {
    this.#gate.resolve();
  }
}
