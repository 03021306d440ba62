/**
 * Test helpers: stored messages made up without a store.
 *
 * @module
 */

import type { StoredMessage } from "../store/store.ts";

/** `texts` as a room's messages from one plain sender, offsets from `first`. */
export function stored(texts: readonly string[], first = 1): StoredMessage[] {
  const from = { client: "c1", nick: null };
  return texts.map((text, i) => ({
    room: "lobby",
    offset: first + i,
    text,
    from,
    ts: 1_700_000_000_000,
  }));
}
