/**
 * The operations endpoints: `/healthz` (the process answers), `/readyz`
 * (the server can serve: 503 while it drains for a restart or its store is
 * unreachable), `/metrics` (Prometheus text, optionally behind a bearer
 * token) and the server API under `/api/`.
 *
 * @module
 */

import { type ApiContext, bearerMatches, serveApi } from "./api.ts";
import type { Metrics } from "./metrics.ts";

/** What the endpoints report on. */
export interface OpsContext {
  /** Whether the server can take connections now. */
  ready(): boolean;
  /** The metrics `/metrics` shows. */
  metrics: Metrics;
  /** The bearer token `/metrics` needs; open when absent. */
  metricsToken?: string;
  /** The server API; its paths are 404 when absent. */
  api?: ApiContext;
}

/** Answers an operations request, or `undefined` for any other path. */
export function serveOps(
  request: Request,
  url: URL,
  ops: OpsContext,
): Response | Promise<Response> | undefined {
  switch (url.pathname) {
    case "/healthz":
      return text(200, "ok");
    case "/readyz":
      return ops.ready() ? text(200, "ready") : text(503, "not ready");
    case "/metrics":
      return metrics(request, ops);
  }
  return ops.api ? serveApi(request, url, ops.api) : undefined;
}

async function metrics(request: Request, ops: OpsContext): Promise<Response> {
  const token = ops.metricsToken;
  if (
    token !== undefined &&
    !bearerMatches(request.headers.get("authorization"), token)
  ) {
    return text(401, "A valid metrics token is needed", {
      "www-authenticate": "Bearer",
    });
  }
  return new Response(await ops.metrics.text(), {
    headers: { "content-type": ops.metrics.contentType },
  });
}

/** A plain-text response of one line. */
export function text(
  status: number,
  body: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(body + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}
