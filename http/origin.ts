/**
 * The Origin check of a WebSocket handshake (contract H5).
 *
 * @module
 */

/**
 * The host-and-port of an Origin exactly as written, as Go's `url.Parse`
 * leaves it in `URL.Host`: WHATWG's `URL` would drop a default port and lower
 * the case, and the contract says neither may happen.
 *
 * @returns `undefined` when `origin` cannot be parsed as a URL.
 */
export function originHost(origin: string): string | undefined {
  if (!URL.canParse(origin)) return undefined;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(origin);
  if (!scheme) return undefined;
  const rest = origin.slice(scheme[0].length);
  if (!rest.startsWith("//")) return "";
  const authority = rest.slice(2).split(/[/?#]/, 1)[0];
  return authority.slice(authority.lastIndexOf("@") + 1);
}

/**
 * Builds the Origin check: a request with no Origin header passes; otherwise
 * the Origin's host-and-port must equal the request's Host header, ignoring
 * ASCII case, or the Origin must be in `allowed`. An entry `*` allows every
 * origin; other entries are origins such as `https://chat.example.com`,
 * compared ignoring ASCII case and a trailing slash.
 *
 * @example
 * ```ts
 * const check = originCheck(["https://chat.example.com"]);
 * check(new Request("http://localhost:8080/ws")); // true: no Origin
 * ```
 */
export function originCheck(
  allowed: readonly string[] = [],
): (request: Request) => boolean {
  const allowAll = allowed.includes("*");
  const list = new Set(allowed.map(canonical));
  return (request) => {
    const origin = request.headers.get("origin");
    if (origin === null || allowAll) return true;
    if (list.has(canonical(origin))) return true;
    const host = originHost(origin);
    if (!host) return false;
    return asciiLower(host) === asciiLower(request.headers.get("host") ?? "");
  };
}

/**
 * The origin lowered, without trailing slashes. A loop, not a regular
 * expression: `/\/+$/` backtracks quadratically on a long run of slashes,
 * and the Origin header is the client's to choose.
 */
function canonical(origin: string): string {
  let end = origin.length;
  while (end > 0 && origin.charCodeAt(end - 1) === SLASH) end--;
  return asciiLower(origin.slice(0, end));
}

const SLASH = 0x2f;

/** Lowers ASCII letters only, as Go's `strings.EqualFold` on ASCII does. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}
