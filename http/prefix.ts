/**
 * The mount prefix: the path natter is served under in someone else's site
 * (`/chat` puts the page at `/chat/`, WebSockets at `/chat/ws`). It is
 * checked once, when natter is created, and every request's path is matched
 * against it segment by segment, so that `/chatX/ws` is not natter's and
 * `/chat/../api` (which the URL parser has already made `/api`) is not
 * either.
 *
 * @module
 */

/** The longest prefix natter accepts, in characters. */
export const MAX_PREFIX_LENGTH = 256;

/** One segment: unreserved URL characters only, nothing to decode. */
const SEGMENT = /^[A-Za-z0-9._~-]+$/;

/**
 * `prefix` checked: `""` (the root) when absent or empty, otherwise `/`
 * followed by one or more segments of `A-Z a-z 0-9 . _ ~ -` separated by
 * single slashes, with no trailing slash and no `.` or `..` segment.
 *
 * @throws {TypeError} naming the prefix and what is wrong with it.
 * @example
 * ```ts
 * checkPrefix("/chat"); // "/chat"
 * checkPrefix(undefined); // ""
 * checkPrefix("/chat/"); // throws: a prefix has no trailing "/"
 * ```
 */
export function checkPrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === "") return "";
  const problem = typeof prefix !== "string"
    ? "it is not a string"
    : prefix.length > MAX_PREFIX_LENGTH
    ? `it is longer than ${MAX_PREFIX_LENGTH} characters`
    : !prefix.startsWith("/")
    ? 'it must start with "/"'
    : prefix.endsWith("/")
    ? 'it must not end with "/" (leave it out to mount at the root)'
    : segmentProblem(prefix.slice(1).split("/"));
  if (problem) {
    throw new TypeError(
      `Cannot mount natter at ${JSON.stringify(String(prefix))}: ${problem}`,
    );
  }
  return prefix;
}

function segmentProblem(segments: string[]): string | undefined {
  for (const segment of segments) {
    if (segment === "") return 'it must not hold "//"';
    if (segment === "." || segment === "..") {
      return `it must not hold a "${segment}" segment`;
    }
    if (!SEGMENT.test(segment)) {
      return `the segment "${segment}" holds a character other than ` +
        "A-Z a-z 0-9 . _ ~ -";
    }
  }
  return undefined;
}

/**
 * The path of `pathname` inside the mount at `prefix` (a prefix
 * {@linkcode checkPrefix} accepted): `/ws` for `/chat/ws` under `/chat`,
 * `""` for the prefix itself (`/chat`), `undefined` for a path outside it
 * (`/chatX/ws`, `/api`).
 *
 * @example
 * ```ts
 * localPath("/chat/r/deno", "/chat"); // "/r/deno"
 * localPath("/chatroom", "/chat"); // undefined
 * localPath("/ws", ""); // "/ws"
 * ```
 */
export function localPath(
  pathname: string,
  prefix: string,
): string | undefined {
  if (prefix === "") return pathname;
  if (pathname === prefix) return "";
  if (pathname.startsWith(prefix) && pathname[prefix.length] === "/") {
    return pathname.slice(prefix.length);
  }
  return undefined;
}
