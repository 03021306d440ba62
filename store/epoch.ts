/**
 * Epochs: the name of one unbroken run of a room's offsets (R6).
 *
 * @module
 */

/**
 * A new epoch for a room whose stream starts afresh: 8 random base-36
 * characters, then the clock's last 4, so that a room created again all
 * but surely gets an epoch it never had, and a member's position in the
 * old stream is not taken for one in the new.
 *
 * @example
 * ```ts
 * const epoch = newEpoch();
 * console.log(epoch.length); // 12
 * ```
 */
export function newEpoch(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  let epoch = "";
  for (const byte of bytes) epoch += (byte % 36).toString(36);
  return epoch + Date.now().toString(36).slice(-4).padStart(4, "0");
}
