/**
 * What every `Store` must do alike, written once: a client of natter sees
 * the same offsets, epochs, recovery, paging, presence and history bounds
 * whichever store holds its rooms. `conformance_test.ts` runs the suite
 * against the memory store, the worker store and the Redis store; what
 * only one store does is tested beside that store.
 *
 * The cases are in `conformance_history.ts`, `conformance_keys.ts` (send
 * keys, C7) and `conformance_rooms.ts`;
 * `conformance_case.ts` says what a case and a kind of store are.
 *
 * @module
 */

import type { StoreKind } from "./conformance_case.ts";
import { HISTORY_CASES } from "./conformance_history.ts";
import { KEY_CASES } from "./conformance_keys.ts";
import { ROOM_CASES, SHARED_CASES } from "./conformance_rooms.ts";

export type {
  StoreBounds,
  StoreKind,
  StoreUnderTest,
} from "./conformance_case.ts";

/**
 * Runs every conformance case as a step of `t`, each on a fresh store of
 * `kind`; the cases a kind cannot run (shared rooms, lost data) are
 * registered as ignored.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "./memory.ts";
 *
 * Deno.test("MemoryStore conforms", async (t) => {
 *   await storeConformance(t, {
 *     name: "memory",
 *     shares: false,
 *     loses: false,
 *     make: (bounds) =>
 *       Promise.resolve({
 *         store: new MemoryStore(bounds),
 *         [Symbol.asyncDispose]: () => Promise.resolve(),
 *       }),
 *   });
 * });
 * ```
 */
export async function storeConformance(
  t: Deno.TestContext,
  kind: StoreKind,
): Promise<void> {
  for (
    const each of [
      ...HISTORY_CASES,
      ...KEY_CASES,
      ...ROOM_CASES,
      ...SHARED_CASES,
    ]
  ) {
    await t.step({
      name: each.name,
      ignore: each.needs !== undefined && !kind[each.needs],
      fn: async () => {
        await using setup = await kind.make(each.bounds);
        await each.run(setup);
      },
    });
  }
}
