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
import { isRoomName } from "../protocol/names.ts";
import {
  listRooms,
  type Operable,
  publish,
  readHistory,
  removeMember,
  UnavailableError,
} from "./operations.ts";
import { readLimited } from "./read_limited.ts";

export { API_CLIENT, type Connection } from "./operations.ts";

/** What the API works on: the operations' state, behind a bearer token. */
export interface ApiContext extends Operable {
  /** The bearer token every request must carry. */
  token: string;
}

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
    return json(200, { rooms: listRooms(api) });
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
  if (body.nick !== undefined && typeof body.nick !== "string") {
    return json(400, { error: `"nick" is not a valid nick` });
  }
  try {
    const offset = await publish(api, room, body.text, { nick: body.nick });
    return json(200, { room, offset });
  } catch (error) {
    if (error instanceof RangeError) return json(413, { error: error.message });
    if (error instanceof TypeError) return json(400, { error: error.message });
    if (error instanceof UnavailableError) {
      return json(503, { error: error.message });
    }
    throw error;
  }
}

async function history(
  url: URL,
  room: string,
  api: ApiContext,
): Promise<Response> {
  const messages = await readHistory(api, room, {
    before: count(url.searchParams.get("before")),
    limit: count(url.searchParams.get("limit")),
  });
  if (!messages) return json(404, { error: `No room "${room}"` });
  return json(200, { room, messages });
}

async function kick(
  request: Request,
  room: string,
  client: string,
  api: ApiContext,
): Promise<Response> {
  const body = await readJson(request);
  if (body === TOO_LARGE) return tooLarge();
  if (!body || (body.reason !== undefined && typeof body.reason !== "string")) {
    return json(400, { error: `The body must be {"reason"?: string}` });
  }
  if (!removeMember(api, room, client, { reason: body.reason })) {
    return json(404, { error: `No member "${client}" in room "${room}"` });
  }
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
