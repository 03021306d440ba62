/**
 * The page (H1, H3, D2, D4): `home.html`, embedded at build time through a
 * text import so it is found wherever natter starts and is part of a
 * compiled binary, and sent with a Content-Security-Policy that allows only
 * what the page uses. A natter mounted under a prefix writes the prefix into
 * the page, outside its script, so the script's hash holds at every prefix.
 *
 * @module
 */

import { createHash } from "node:crypto";
import page from "../home.html" with { type: "text" };

/**
 * The base64 SHA-256 of `text`, as CSP source expressions take it. Hashed
 * synchronously: a top-level await for `crypto.subtle` would hold up every
 * module that imports this one, and a worker thread (`--workers`) whose
 * module is still evaluating misses the main thread's first message.
 */
function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("base64");
}

/**
 * The contents of every inline `<tag>` element of the page, exactly as the
 * browser hashes them. Elements with a `src` are not inline and are skipped.
 */
function inlineContents(html: string, tag: string): string[] {
  const pattern = new RegExp(`<${tag}(\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, "gi");
  return [...html.matchAll(pattern)]
    .filter((match) => !/\ssrc=/i.test(match[1] ?? ""))
    .map((match) => match[2]);
}

/** The CSP sources for the page's inline `<tag>` elements, by hash. */
function hashSources(tag: string): string {
  const digests = inlineContents(page, tag).map(sha256);
  // A directive with no sources allows nothing; 'none' says so plainly.
  return digests.map((d) => `'sha256-${d}'`).join(" ") || "'none'";
}

/**
 * The page's Content-Security-Policy: its own inline script and style by
 * hash, WebSocket and fetches only to its own origin, nothing else. Hashes
 * are computed from the embedded page, so editing it never breaks them.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${hashSources("script")}`,
  `style-src ${hashSources("style")}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/**
 * Where the page learns the path natter is mounted under: an element, not
 * script, so the script's hash (and the CSP) is the same at every prefix.
 */
const BASE_TAG = '<meta name="natter-base" content="">';
if (!page.includes(BASE_TAG)) {
  throw new Error(`home.html has lost its "${BASE_TAG}" element`);
}

/**
 * The page mounted at `base`: a function that answers a request for it,
 * the page for GET, its headers for HEAD (D2), 405 with `Allow` for any
 * other method (H3). The page builds its WebSocket URL and room addresses
 * under `base` (`""` for the root, or a prefix such as `/chat` that
 * `checkPrefix` accepted).
 *
 * @example
 * ```ts
 * const chatPage = pageAt("/chat");
 * Deno.serve((request) =>
 *   new URL(request.url).pathname === "/chat/"
 *     ? chatPage(request)
 *     : new Response("Not Found", { status: 404 })
 * );
 * ```
 */
export function pageAt(base: string): (request: Request) => Response {
  const html = page.replace(
    BASE_TAG,
    `<meta name="natter-base" content="${escapeAttribute(base)}">`,
  );
  const headHeaders = {
    ...PAGE_HEADERS,
    "content-length": String(new TextEncoder().encode(html).byteLength),
  };
  return (request) => {
    if (request.method === "GET") {
      return new Response(html, { headers: PAGE_HEADERS });
    }
    if (request.method === "HEAD") {
      return new Response(null, { headers: headHeaders });
    }
    return new Response("Method Not Allowed\n", {
      status: 405,
      headers: {
        "content-type": "text/plain; charset=utf-8",
        allow: "GET, HEAD",
      },
    });
  };
}

/** Answers a request for the page at the root (`/`), as {@linkcode pageAt}. */
export const servePage: (request: Request) => Response = pageAt("");

/** `value` safe inside a double-quoted HTML attribute. */
function escapeAttribute(value: string): string {
  return value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}
