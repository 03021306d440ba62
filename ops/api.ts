/**
 * The server API (`--admin-token`): post into a room from a backend, list
 * rooms, read a room's history, and disconnect a member. Every request needs
 * `Authorization: Bearer TOKEN`; without `--admin-token` the paths are 404.
 *
 *   POST   /api/rooms/{room}/messages          {"text": ..., "nick"?: ...}
 *   GET    /api/rooms
 *   GET    /api/rooms/{room}/history?before=&limit=
 *   DELETE /api/rooms/{room}/members/{client}  {"reason"?: ...}
 *
 * @module
 */

import { timingSafeEqual } from "node:crypto";
import { draft } from "../room/draft.ts";
import { type CloseReason, removed } from "../util/close_reasons.ts";
import { isRoomName, parseNick } from "../protocol/names.ts";
import type { Rooms } from "../room/rooms.ts";
import { fitCloseReason } from "./close_reason.ts";
import { readLimited } from "./read_limited.ts";

/** A connection the API can find and disconnect. */
export interface Connection {
  /** The rooms it is in. */
  rooms(): string[];
  /** Closes it with `close`. */
  kick(close: CloseReason): void;
}

/** What the API works on. */
export interface ApiContext {
  /** The bearer token every request must carry. */
  token: string;
  /** The server's rooms. */
  rooms: Rooms;
  /** Open connections by client id. */
  connections: ReadonlyMap<string, Connection>;
  /** The largest message text, in UTF-8 bytes (K2). */
  maxMessageSize: number;
  /** The most messages one history answer holds. */
  historyPage: number;
}

/** The identity of messages posted through the API. */
export const API_CLIENT = "api";

/** The largest request body the API reads, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

const ROUTE =
  /^\/api\/rooms(?:\/([^/]+)(?:\/(messages|history|members)(?:\/([^/]+))?)?)?$/;

/** Whether `header` is `Bearer TOKEN`, compared in constant time. */
export function bearerMatches(header: string | null, token: string): boolean {
  const given = new TextEncoder().encode(header ?? "");
  const wanted = new TextEncoder().encode(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * Answers an API request, or `undefined` when `pathname` is not the API's.
 */
export function serveApi(
  request: Request,
  url: URL,
  api: ApiContext,
): Promise<Response> | undefined {
  if (url.pathname !== "/api" && !url.pathname.startsWith("/api/")) {
    return undefined;
  }
  return route(request, url, api);
}

async function route(
  request: Request,
  url: URL,
  api: ApiContext,
): Promise<Response> {
  if (!bearerMatches(request.headers.get("authorization"), api.token)) {
    return json(401, { error: "A valid admin token is needed" }, {
      "www-authenticate": "Bearer",
    });
  }
  const match = ROUTE.exec(url.pathname);
  if (!match) return json(404, { error: "Not Found" });
  const segments = match.slice(1).map(decodeSegment);
  const bad = segments.findIndex((segment) => segment === null);
  if (bad !== -1) {
    return json(400, {
      error: `Cannot decode the path segment "${match[bad + 1]}"`,
    });
  }
  const [room, part, client] = segments as (string | undefined)[];
  if (room !== undefined && !isRoomName(room)) {
    return json(404, { error: `No room "${room}"` });
  }
  const method = request.method;
  if (room === undefined) {
    if (method !== "GET") return notAllowed("GET");
    const list = api.rooms.names().map((name) => ({
      room: name,
      members: api.rooms.find(name)?.size ?? 0,
    }));
    return json(200, { rooms: list });
  }
  if (part === "messages" && client === undefined) {
    if (method !== "POST") return notAllowed("POST");
    return await post(request, room, api);
  }
  if (part === "history" && client === undefined) {
    if (method !== "GET") return notAllowed("GET");
    return await history(url, room, api);
  }
  if (part === "members" && client !== undefined) {
    if (method !== "DELETE") return notAllowed("DELETE");
    return await kick(request, room, client, api);
  }
  return json(404, { error: "Not Found" });
}

async function post(
  request: Request,
  room: string,
  api: ApiContext,
): Promise<Response> {
  const body = await readJson(request);
  if (body === TOO_LARGE) return tooLarge();
  if (!body || typeof body.text !== "string") {
    return json(400, { error: `The body must be {"text": string}` });
  }
  const drafted = draft(body.text, { maxBytes: api.maxMessageSize });
  if ("refused" in drafted) {
    return json(413, {
      error: `A message is ${api.maxMessageSize} bytes at most`,
    });
  }
  let nick: string | null = null;
  if (body.nick !== undefined) {
    nick = typeof body.nick === "string" ? parseNick(body.nick) ?? null : null;
    if (nick === null) {
      return json(400, { error: `"nick" is not a valid nick` });
    }
  }
  const hub = api.rooms.get(room);
  if (!hub) return json(503, { error: "The server holds its most rooms" });
  // The API's message goes the way every message goes: through the room's
  // intake, which may refuse it when too many wait.
  const outcome = Promise.withResolvers<number | CloseReason | undefined>();
  hub.intake.offer({ refuse: outcome.resolve }, {
    text: drafted.text,
    from: { client: API_CLIENT, nick },
    at: performance.now(),
    receipt: {
      stored: outcome.resolve,
      lost: () => outcome.resolve(undefined),
    },
  });
  const offset = await outcome.promise;
  api.rooms.release(room);
  if (typeof offset !== "number") {
    return json(503, { error: "The message was not sent; try again later" });
  }
  return json(200, { room, offset });
}

async function history(
  url: URL,
  room: string,
  api: ApiContext,
): Promise<Response> {
  if (!api.rooms.find(room)) return json(404, { error: `No room "${room}"` });
  const before = count(url.searchParams.get("before")) ??
    Number.MAX_SAFE_INTEGER;
  const limit = Math.min(
    count(url.searchParams.get("limit")) ?? api.historyPage,
    api.historyPage,
  );
  const messages = await api.rooms.store.before(room, before, limit);
  return json(200, {
    room,
    messages: messages.map(({ offset, from, text, ts }) => ({
      offset,
      from,
      text,
      ts,
    })),
  });
}

async function kick(
  request: Request,
  room: string,
  client: string,
  api: ApiContext,
): Promise<Response> {
  const connection = api.connections.get(client);
  if (!connection || !connection.rooms().includes(room)) {
    return json(404, { error: `No member "${client}" in room "${room}"` });
  }
  const body = await readJson(request);
  if (body === TOO_LARGE) return tooLarge();
  if (!body || (body.reason !== undefined && typeof body.reason !== "string")) {
    return json(400, { error: `The body must be {"reason"?: string}` });
  }
  // A close reason is 123 bytes of UTF-8 at most: longer, close() throws.
  const reason = typeof body.reason === "string"
    ? fitCloseReason(body.reason)
    : undefined;
  connection.kick(removed(reason));
  return new Response(null, { status: 204 });
}

/** A body over {@linkcode MAX_BODY_BYTES}. */
const TOO_LARGE = Symbol("too large");

/**
 * A JSON object body (`{}` when empty), {@linkcode TOO_LARGE}, or
 * `undefined` when the body is not a JSON object.
 */
async function readJson(
  request: Request,
): Promise<Record<string, unknown> | typeof TOO_LARGE | undefined> {
  try {
    const body = await readLimited(request, MAX_BODY_BYTES);
    if ("tooLarge" in body) return TOO_LARGE;
    const text = body.text;
    if (text.trim() === "") return {};
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

/** A path segment percent-decoded, or `null` when it cannot be. */
function decodeSegment(segment: string | undefined): string | null | undefined {
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function tooLarge(): Response {
  // The rest of the body is left unread: the connection cannot be reused.
  return json(413, {
    error: `A request body is ${MAX_BODY_BYTES} bytes at most`,
  }, { connection: "close" });
}

function count(value: string | null): number | undefined {
  return value !== null && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

function notAllowed(allow: string): Response {
  return json(405, { error: "Method Not Allowed" }, { allow });
}

function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body) + "\n", {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}
