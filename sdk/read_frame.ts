/**
 * Reads one frame from the server into the events this client knows, and
 * nothing else: a frame that is not JSON, not an array, or too large yields
 * no events, and an event with a missing or ill-typed field is left out, so
 * that whatever a server sends, the client only ever sees well-formed
 * events. Nothing here throws.
 *
 * @module
 */

import type { Member, Message, ServerEvent } from "./frames.ts";

/**
 * The longest frame read, in UTF-16 code units: 16 Mi. A `joined` reply that
 * recovers a long history is the largest event a server sends, and stays far
 * below it.
 */
export const MAX_FRAME_CHARS = 16 * 1024 * 1024;

type Fields = Record<string, unknown>;

/**
 * The events of one frame's text (natter.v1 sends a JSON array of events);
 * empty for anything else.
 *
 * @example
 * ```ts
 * readFrame('[{"type":"left","id":3,"room":"lobby"}]');
 * // [{ type: "left", id: 3, room: "lobby" }]
 * readFrame("garbage"); // []
 * ```
 */
export function readFrame(
  data: unknown,
  maxChars = MAX_FRAME_CHARS,
): ServerEvent[] {
  if (typeof data !== "string" || data.length > maxChars) return [];
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const events: ServerEvent[] = [];
  for (const item of value) {
    const event = readEvent(item);
    if (event) events.push(event);
  }
  return events;
}

/** One event, or `undefined` when it is not one this client knows. */
function readEvent(value: unknown): ServerEvent | undefined {
  if (!isObject(value)) return undefined;
  const id = readId(value.id);
  if (id === null) return undefined;
  if (value.type === "error") return readError(id, value);
  const { room } = value;
  if (typeof room !== "string") return undefined;
  switch (value.type) {
    case "message": {
      const message = readMessage(value);
      return message && { type: "message", ...message };
    }
    case "joined": {
      const { epoch, offset, recovered, nick, client, count } = value;
      const history = listOf(value.history, readMessage);
      const presence = listOf(value.presence, readMember);
      if (
        typeof epoch !== "string" || !isOffset(offset) ||
        typeof recovered !== "boolean" || !history || !presence
      ) return undefined;
      return {
        type: "joined",
        id,
        room,
        nick: typeof nick === "string" ? nick : null,
        client: typeof client === "string" ? client : undefined,
        epoch,
        offset,
        recovered,
        history,
        presence,
        count: isOffset(count) ? count : presence.length,
      };
    }
    case "ack":
      return isOffset(value.offset)
        ? { type: "ack", id, room, offset: value.offset }
        : undefined;
    case "left":
      return { type: "left", id, room };
    case "history": {
      const messages = listOf(value.messages, readMessage);
      return messages && { type: "history", id, room, messages };
    }
    case "members": {
      const members = listOf(value.members, readMember);
      const { count, next } = value;
      if (!members || !isOffset(count)) return undefined;
      if (next !== null && typeof next !== "string") return undefined;
      return { type: "members", id, room, members, count, next };
    }
    case "presence": {
      const joined = listOf(value.joined, readMember);
      const left = listOf(value.left, readMember);
      const { count } = value;
      if (!joined || !left || !isOffset(count)) return undefined;
      return { type: "presence", room, joined, left, count };
    }
    default:
      return undefined;
  }
}

function readError(
  id: number | string | undefined,
  value: Fields,
): ServerEvent | undefined {
  if (typeof value.code !== "string") return undefined;
  const message = typeof value.message === "string" ? value.message : "";
  return { type: "error", id, code: value.code, message };
}

/** A message's fields, or `undefined` when one is missing or ill-typed. */
function readMessage(value: unknown): Message | undefined {
  if (!isObject(value)) return undefined;
  const { room, offset, text, ts } = value;
  const from = readMember(value.from);
  if (
    typeof room !== "string" || !isOffset(offset) || offset < 1 || !from ||
    typeof text !== "string" || typeof ts !== "number"
  ) return undefined;
  return { room, offset, from, text, ts };
}

function readMember(value: unknown): Member | undefined {
  if (!isObject(value) || typeof value.client !== "string") return undefined;
  const { client, nick, user } = value;
  if (nick !== null && typeof nick !== "string") return undefined;
  return typeof user === "string" ? { client, nick, user } : { client, nick };
}

/** The items `read` accepts; `undefined` when `value` is not an array. */
function listOf<T>(
  value: unknown,
  read: (item: unknown) => T | undefined,
): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const items: T[] = [];
  for (const item of value) {
    const found = read(item);
    if (found !== undefined) items.push(found);
  }
  return items;
}

/** A command id as echoed, `undefined` when absent, `null` when ill-typed. */
function readId(value: unknown): number | string | undefined | null {
  if (value === undefined || value === null) return undefined;
  return typeof value === "number" || typeof value === "string" ? value : null;
}

function isOffset(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
