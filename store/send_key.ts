/**
 * Send keys (C7): what a client may choose as a `send`'s `key`, and the
 * scope a store remembers it in. A key is 16 to 64 characters of
 * `A-Z a-z 0-9 _ -` (base64url's alphabet, which a UUID or a hex string
 * also fits), so it needs no escaping anywhere it is kept. Its scope is the
 * room (each room has an index of its own) and the sender's token `user`,
 * or no user at all: the same key from two users is two messages.
 *
 * @module
 */

import type { Draft } from "./store.ts";

/** The fewest characters of a send key. */
export const KEY_MIN = 16;
/** The most characters of a send key. */
export const KEY_MAX = 64;

const KEY = new RegExp(`^[A-Za-z0-9_-]{${KEY_MIN},${KEY_MAX}}$`);

/**
 * Whether `value` may be a send key: a string of {@linkcode KEY_MIN} to
 * {@linkcode KEY_MAX} characters of `A-Z a-z 0-9 _ -`.
 *
 * @example
 * ```ts
 * isSendKey("6f1c2a9e-5b7d-4e0f"); // true
 * isSendKey("too short"); // false
 * ```
 */
export function isSendKey(value: unknown): value is string {
  return typeof value === "string" && KEY.test(value);
}

/**
 * The string a room's store remembers `draft`'s key under: the key with the
 * sender's `user` when it has one; `undefined` for a draft with no key.
 * Two drafts are repeats of each other in a room when their scoped keys are
 * equal. The form is JSON, so that no user and key can pass for another.
 *
 * @example
 * ```ts
 * const key = "6f1c2a9e-5b7d-4e0f";
 * scopedKey({ text: "hi", from: { client: "c1", nick: null }, key });
 * // '["6f1c2a9e-5b7d-4e0f"]'
 * scopedKey({ text: "hi", from: { client: "c1", nick: "ada", user: "u1" }, key });
 * // '["6f1c2a9e-5b7d-4e0f","u1"]'
 * ```
 */
export function scopedKey(draft: Draft): string | undefined {
  const { key, from } = draft;
  if (key === undefined) return undefined;
  return JSON.stringify(from.user === undefined ? [key] : [key, from.user]);
}
