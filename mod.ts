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
// The types the options and the store seam are made of, so that a program
// can name them (and a custom Store can be written against them).
export type { Identity } from "./auth/token.ts";
export type { ClientOptions } from "./connection/client_options.ts";
export type { RoomsOptions } from "./room/rooms.ts";
export type { MemoryStoreOptions } from "./store/memory.ts";
export type * from "./store/store.ts";
export type { IpSlots } from "./http/listen/ip_slots.ts";
export type { SessionOptions } from "./protocol/session_options.ts";
export type { Log, LogFields } from "./util/log.ts";
export type { Meter } from "./util/meter.ts";
export type { HubOptions } from "./room/hub_options.ts";
