/**
 * Health for load balancers and supervisors: `/healthz` answers 200 while
 * the process answers at all; `/readyz` answers 200 while the node can
 * serve (its store is ready: with Redis, Redis answers) and 503 otherwise,
 * so that a load balancer routes around it.
 *
 * @module
 */

import type { Store } from "./store/store.ts";

/**
 * The answer to a health path, or `undefined` for any other path.
 *
 * @example
 * ```ts
 * const health = healthResponse(new URL(request.url).pathname, store);
 * if (health) return health;
 * ```
 */
export function healthResponse(
  pathname: string,
  store: Store,
): Response | undefined {
  if (pathname === "/healthz") return text(200, "ok");
  if (pathname !== "/readyz") return undefined;
  return store.ready?.() ?? true
    ? text(200, "ready")
    : text(503, "not ready: the store is unavailable");
}

function text(status: number, body: string): Response {
  return new Response(body + "\n", {
    status,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}
