/**
 * The page (H1, H3, D2, D4): `home.html`, embedded at build time through a
 * text import so it is found wherever natter starts and is part of a
 * compiled binary.
 *
 * @module
 */

import page from "./home.html" with { type: "text" };

const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "x-content-type-options": "nosniff",
};
const HEAD_HEADERS = {
  ...PAGE_HEADERS,
  "content-length": String(new TextEncoder().encode(page).byteLength),
};

/**
 * Answers a request for `/`: the page for GET, its headers for HEAD (D2),
 * 405 with `Allow` for any other method (H3).
 */
export function servePage(request: Request): Response {
  if (request.method === "GET") {
    return new Response(page, { headers: PAGE_HEADERS });
  }
  if (request.method === "HEAD") {
    return new Response(null, { headers: HEAD_HEADERS });
  }
  return new Response("Method Not Allowed\n", {
    status: 405,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      allow: "GET, HEAD",
    },
  });
}
