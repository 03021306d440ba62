/**
 * Room names and nicks (docs/protocol.md R1, R5).
 *
 * @module
 */

/** R1: 1 to 64 characters of `[A-Za-z0-9._-]`. */
const ROOM = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * What a nick may not hold: control characters (Unicode category Cc) and
 * format characters (Cf: bidi controls, zero-width spaces, ...), except
 * U+200C and U+200D, which Persian and emoji sequences need.
 */
const FORBIDDEN = /(?![\u200c\u200d])[\p{Cc}\p{Cf}]/u;

/** The room of plain mode's `/ws` and of the page at `/` (R1, R2, R3). */
export const DEFAULT_ROOM = "lobby";

/** Whether `name` is a valid room name (R1). */
export function isRoomName(name: string): boolean {
  return ROOM.test(name);
}

/**
 * The nick `raw` stands for (R5): trimmed of white space, NFC-normalised,
 * then 1 to 32 characters (code points) with no control or format
 * characters but U+200C and U+200D; `undefined` when it is not a valid nick.
 *
 * @example
 * ```ts
 * parseNick("  ada "); // "ada"
 * parseNick("a\u0007"); // undefined
 * parseNick("\u202eada"); // undefined: a bidi override
 * ```
 */
export function parseNick(raw: string): string | undefined {
  const nick = raw.trim().normalize("NFC");
  if (nick === "" || FORBIDDEN.test(nick)) return undefined;
  let length = 0;
  for (const _ of nick) if (++length > 32) return undefined;
  return nick;
}
