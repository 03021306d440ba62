/**
 * The one way a message is drafted for a room, whoever sends it: a plain
 * client, a natter.v1 `send`, or the admin API. It is measured against the
 * limit in UTF-8 bytes (K2), counted against the sender's rate (if it has
 * one), and normalised as gorilla's chat does (I1). Each sender turns a
 * refusal into what its protocol says: a close, an `error`, an HTTP status.
 *
 * @module
 */

import type { TokenBucket } from "../util/bucket.ts";
import { exceedsUtf8, normalize } from "../util/message.ts";

/** Why a message was not drafted. */
export type DraftRefusal = "too_big" | "rate_limited";

/** A drafted message's normalised text, or why it was refused. */
export type Drafted =
  | { readonly text: string }
  | { readonly refused: DraftRefusal };

/** What a draft is measured against. */
export interface DraftLimits {
  /** The largest message in UTF-8 bytes (K2). */
  readonly maxBytes: number;
  /** The sender's rate of messages, if it has one: a token per message. */
  readonly rate?: TokenBucket;
}

/**
 * Drafts `text` for a room: its normalised text, or why it was refused. A
 * message that is too big costs no token of the rate.
 *
 * @example
 * ```ts
 * draft(" hi\n", { maxBytes: 512 }); // { text: "hi" }
 * draft("x".repeat(600), { maxBytes: 512 }); // { refused: "too_big" }
 * ```
 */
export function draft(
  text: string,
  limits: DraftLimits,
): Drafted {
  if (exceedsUtf8(text, limits.maxBytes)) return TOO_BIG;
  if (limits.rate && !limits.rate.take()) return RATE_LIMITED;
  return { text: normalize(text) };
}

const TOO_BIG = { refused: "too_big" } as const;
const RATE_LIMITED = { refused: "rate_limited" } as const;
