/**
 * natter as a module: the WebSocket chat (the page, rooms, natter.v1 and
 * gorilla's plain protocol, history, presence, metrics, the server API) to
 * mount in a server of your own, under a path prefix of your choosing.
 *
 * ```ts
 * import { createNatter } from "./mod.ts";
 *
 * const natter = createNatter({ prefix: "/chat" });
 * const server = Deno.serve((request, info) => {
 *   if (new URL(request.url).pathname === "/hello") {
 *     return new Response("hello");
 *   }
 *   return natter.fetch(request, info); // 404 outside /chat/
 * });
 * Deno.addSignalListener("SIGTERM", async () => {
 *   await natter.close(); // every client told, within the shutdown timeout
 *   await server.shutdown();
 * });
 * ```
 *
 * What a mounted natter keeps, and what it cannot. Everything that lives
 * above the listener works as it does in natter's own server: the Origin
 * check, tokens, the cap on clients (`maxConnections`), the cap per address
 * (`maxConnectionsPerIp`, counted on `info.remoteAddr`), the rooms',
 * history's and queues' budgets, rate limits, idle pings, the page's
 * Content-Security-Policy. What natter's own listener gives it cannot keep,
 * because the connections are the host server's: the deadline for a
 * complete request (`Deno.serve` has none: a peer that sends half a request
 * holds its connection for good), the cap on TCP connections, and the
 * recovery from running out of file descriptors. Those are the host
 * server's job, or a proxy's in front of it; natter's own program
 * (`main.ts`) has all three.
 *
 * natter upgrades with `Deno.upgradeWebSocket` the request the host was
 * given, and routes on its full path, prefix included: a framework must
 * hand it that request as it came. In Hono that is
 * `app.all("/chat/*", (c) => natter.fetch(c.req.raw, c.env))`.
 * docs/mount.md has the rest.
 *
 * @module
 */

export { createNatter } from "./http/natter.ts";
export type {
  NatterApp,
  NatterOptions,
  Upgrade,
} from "./http/natter_options.ts";
export type { RequestInfo } from "./http/listen/listen_options.ts";
export {
  type HistoryMessage,
  type HistoryOptions,
  type PublishOptions,
  type RemoveOptions,
  type RoomSummary,
  UnavailableError,
} from "./ops/operations.ts";
export {
  createVerifier,
  type Verifier,
  type VerifierOptions,
} from "./auth/token.ts";
export type { CloseReason } from "./util/close_reasons.ts";
