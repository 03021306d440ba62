/**
 * The key of a `send`: random, so that only its sender knows it, and the
 * same on every resend of one message, so that the server posts it once.
 *
 * @module
 */

const ALPHABET =
  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** How many characters a key has: 22 of 62 symbols, over 130 random bits. */
export const KEY_LENGTH = 22;

/**
 * A fresh random key of {@linkcode KEY_LENGTH} letters and digits, from the
 * platform's cryptographic random source.
 *
 * @example
 * ```ts
 * const key = randomKey();
 * key.length; // 22
 * ```
 */
export function randomKey(): string {
  // 248 is the largest multiple of 62 a byte holds: bytes above it are
  // dropped, so that every symbol is equally likely.
  let key = "";
  while (key.length < KEY_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(32))) {
      if (byte < 248 && key.length < KEY_LENGTH) key += ALPHABET[byte % 62];
    }
  }
  return key;
}
