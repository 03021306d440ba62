/**
 * Room names and nicks (PROTOCOL.md R1, R5).
 *
 * @module
 */

/** R1: 1 to 64 characters of `[A-Za-z0-9._-]`. */
const ROOM = /^[A-Za-z0-9._-]{1,64}$/;

/** Control characters (Unicode category Cc), which a nick may not hold. */
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The room of plain mode's `/ws` and of the page at `/` (R1, R2, R3). */
export const DEFAULT_ROOM = "lobby";

/** Whether `name` is a valid room name (R1). */
export function isRoomName(name: string): boolean {
  return ROOM.test(name);
}

/**
 * The nick `raw` stands for (R5): trimmed of white space, then 1 to 32
 * characters (code points) with no control characters; `undefined` when it is
 * not a valid nick.
 *
 * @example
 * ```ts
 * parseNick("  ada "); // "ada"
 * parseNick("a\u0007"); // undefined
 * ```
 */
export function parseNick(raw: string): string | undefined {
  const nick = raw.trim();
  if (nick === "" || CONTROL.test(nick)) return undefined;
  let length = 0;
  for (const _ of nick) if (++length > 32) return undefined;
  return nick;
}
