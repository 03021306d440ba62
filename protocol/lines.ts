/**
 * How plain-mode members write batches (docs/contract.md O1): the messages'
 * texts joined by a single LF with none trailing, one frame for everything
 * queued. Notices (presence, replies) are for natter.v1 members alone.
 *
 * @module
 */

import type { Encoding } from "../room/batch.ts";

/**
 * The plain encoding: messages as LF-joined text.
 *
 * @example
 * ```ts
 * import { Batch } from "../room/batch.ts";
 * import { stored } from "../test_util/messages.ts";
 *
 * new Batch(stored(["a", "b"])).frame(LINES); // "a\nb"
 * ```
 */
export const LINES: Encoding = {
  notices: false,
  items: (_notices, messages) =>
    messages.length === 1
      ? messages[0].text
      : messages.map((message) => message.text).join("\n"),
  separator: "\n",
  frame: (items) => items,
};
