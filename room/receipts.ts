/**
 * A turn's messages into the store and back to their senders: appended in
 * one call, then, once every member was offered them, each sender told what
 * became of its message through its receipt (C3). Nothing is acknowledged
 * that the store did not take.
 *
 * @module
 */

import type { Members } from "./members.ts";
import { type Inbound, LOST } from "./subscriber.ts";
import type { Store } from "../store/store.ts";
import type { Log } from "../util/log.ts";
import type { Meter } from "../util/meter.ts";

/**
 * Appends `drafts` to `room` in one call; the store feeds back those it
 * stored (not the repeats of a send key, C7).
 *
 * @returns each draft's offset (a repeat's is its first message's), or
 * `undefined` if the store failed.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "../store/memory.ts";
 *
 * const store = new MemoryStore();
 * await store.open("lobby", () => {});
 * const from = { client: "c1", nick: null };
 * await appendAll(store, "lobby", [{ text: "hi", from }], console.log); // [1]
 * ```
 */
export async function appendAll(
  store: Store,
  room: string,
  drafts: readonly Inbound[],
  log: Log,
): Promise<number[] | undefined> {
  try {
    return (await store.append(room, drafts)).offsets;
  } catch (error) {
    log(`room "${room}": ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Tells each sender that is still a member what became of its message:
 * stored at its offset, or lost. A member's lost message with no receipt to
 * tell costs the member its place: it cannot be told otherwise.
 *
 * @example
 * ```ts
 * import { Members } from "./members.ts";
 * import { NO_METER } from "../util/meter.ts";
 * import type { Inbound } from "./subscriber.ts";
 * declare const drafts: Inbound[];
 *
 * settle(new Members(NO_METER), drafts, undefined); // the store failed
 * ```
 */
export function settle(
  members: Members,
  drafts: readonly Inbound[],
  offsets: readonly number[] | undefined,
): void {
  for (let i = 0; i < drafts.length; i++) {
    const { sender, receipt } = drafts[i];
    if (sender && !members.has(sender)) continue;
    if (offsets) receipt?.stored(offsets[i]);
    else if (receipt) receipt.lost();
    else if (sender) members.remove(sender, LOST);
  }
}

/**
 * Counts a turn's messages in `meter`, and how long each waited, from when
 * it was read to now, when every member has been offered it.
 *
 * @example
 * ```ts
 * import { NO_METER } from "../util/meter.ts";
 *
 * const from = { client: "c1", nick: null };
 * measure(NO_METER, [{ text: "hi", from, at: performance.now() }]);
 * ```
 */
export function measure(meter: Meter, drafts: readonly Inbound[]): void {
  meter.received(drafts.length);
  const now = performance.now();
  for (const { at } of drafts) {
    if (at !== undefined) meter.fannedOut((now - at) / 1000);
  }
}
