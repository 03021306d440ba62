/**
 * What the read side does to an inbound text message before the Hub sees it:
 * measure it and normalise it (contract I1, K2).
 *
 * @module
 */

/**
 * Whether `code` is white space by Unicode's definition, as Go's
 * `unicode.IsSpace` has it: ASCII `\t\n\v\f\r` and space, U+0085, U+00A0 and
 * the other space separators. (Unlike `String.prototype.trim`, U+0085 counts
 * and U+FEFF does not.)
 */
function isSpace(code: number): boolean {
  if (code <= 0xff) {
    return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0x85 ||
      code === 0xa0;
  }
  return code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f ||
    code === 0x3000;
}

/**
 * Normalises an inbound message as gorilla's chat does (I1): every LF becomes
 * one space, then leading and trailing Unicode white space is trimmed. CR and
 * TAB inside the message stay, so the result never contains an LF and a
 * receiver can split a coalesced frame on LF.
 *
 * @example
 * ```ts
 * normalize("  a\nb \n"); // "a b"
 * normalize("x\r\ny\tz"); // "x\r y\tz"
 * ```
 */
export function normalize(text: string): string {
  const flat = text.includes("\n") ? text.replaceAll("\n", " ") : text;
  let start = 0;
  let end = flat.length;
  while (start < end && isSpace(flat.charCodeAt(start))) start++;
  while (end > start && isSpace(flat.charCodeAt(end - 1))) end--;
  return start === 0 && end === flat.length ? flat : flat.slice(start, end);
}

/**
 * Whether `text` takes more than `limit` bytes in UTF-8 (K2), decided without
 * encoding it and without counting past the limit.
 */
export function exceedsUtf8(text: string, limit: number): boolean {
  // Every UTF-16 code unit takes one to three bytes (a surrogate pair, four).
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text, i + 1)) {
      bytes += 4;
      i++;
    } else bytes += 3;
    if (bytes > limit) return true;
  }
  return false;
}

function isLowSurrogate(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff;
}
