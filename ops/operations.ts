/**
 * The server API's operations as plain functions: post a message into a
 * room, list the rooms, read a room's history, remove a member. The HTTP
 * routes under `/api/` (`api.ts`) and a mounted natter's methods both call
 * these, so a message posted either way is checked the same way and goes
 * into its room the way every message goes: through the room's intake.
 *
 * @module
 */

import { draft } from "../room/draft.ts";
import { type CloseReason, removed } from "../util/close_reasons.ts";
import { isRoomName, parseNick } from "../protocol/names.ts";
import type { Rooms } from "../room/rooms.ts";
import { fitCloseReason } from "./close_reason.ts";

/** A connection the operations can find and disconnect. */
export interface Connection {
  /** The rooms it is in. */
  rooms(): string[];
  /** Closes it with `close`. */
  kick(close: CloseReason): void;
}

/** What the operations work on. */
export interface Operable {
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

/**
 * A message that was not posted for a reason that passes: the server holds
 * its most rooms, or the room's intake or store did not take it. Trying
 * again later may succeed.
 */
export class UnavailableError extends Error {
  /** An error that says `message`. */
  constructor(message: string) {
    super(message);
    this.name = "UnavailableError";
  }
}

/** Options for {@linkcode publish}. */
export interface PublishOptions {
  /**
   * The nick the message shows (R5), or `null` for none.
   * @default {null}
   */
  nick?: string | null;
}

/**
 * Posts `text` into `room` as the server (client `api`), in the room's
 * order and history, and delivers it to the room's members.
 *
 * @returns the message's offset in the room.
 * @throws {TypeError} when `room` is not a room name, `text` not a string
 * or the nick not a valid nick.
 * @throws {RangeError} when `text` is over `maxMessageSize` bytes.
 * @throws {UnavailableError} when the room cannot be opened or the message
 * was not stored.
 * @example
 * ```ts
 * declare const operable: Operable;
 * const offset = await publish(operable, "news", "deploy at 5", {
 *   nick: "ops-bot",
 * });
 * ```
 */
export async function publish(
  operable: Operable,
  room: string,
  text: string,
  options: PublishOptions = {},
): Promise<number> {
  checkRoom(room);
  if (typeof text !== "string") {
    throw new TypeError(`Cannot publish ${typeof text}: the text is a string`);
  }
  const max = operable.maxMessageSize;
  const drafted = draft(text, { maxBytes: max });
  if ("refused" in drafted) {
    throw new RangeError(`Cannot publish: a message is ${max} bytes at most`);
  }
  let nick: string | null = null;
  if (options.nick !== undefined && options.nick !== null) {
    const given = options.nick;
    nick = typeof given === "string" ? parseNick(given) ?? null : null;
    if (nick === null) {
      throw new TypeError(
        `Cannot publish as ${JSON.stringify(given)}: not a valid nick`,
      );
    }
  }
  const hub = operable.rooms.get(room);
  if (!hub) throw new UnavailableError("The server holds its most rooms");
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
  operable.rooms.release(room);
  if (typeof offset !== "number") {
    throw new UnavailableError("The message was not sent; try again later");
  }
  return offset;
}

/** A room and how many members it has. */
export interface RoomSummary {
  /** The room's name. */
  room: string;
  /** Its members now. */
  members: number;
}

/**
 * Every room that exists (with members or with history), and its members.
 *
 * @example
 * ```ts
 * declare const operable: Operable;
 * for (const { room, members } of listRooms(operable)) {
 *   console.log(`#${room}: ${members}`);
 * }
 * ```
 */
export function listRooms(operable: Operable): RoomSummary[] {
  return operable.rooms.names().map((room) => ({
    room,
    members: operable.rooms.find(room)?.size ?? 0,
  }));
}

/** Options for {@linkcode readHistory}. */
export interface HistoryOptions {
  /**
   * Only messages before this offset.
   * @default {the room's latest, included}
   */
  before?: number;
  /**
   * The most messages; more than the history page is cut to it.
   * @default {the history page}
   */
  limit?: number;
}

/** One message of a room's history. */
export interface HistoryMessage {
  /** Its place in the room (R6). */
  offset: number;
  /** Who sent it. */
  from: { client: string; nick: string | null; user?: string };
  /** Its text. */
  text: string;
  /** The server's time when it was stored, in ms since the Unix epoch. */
  ts: number;
}

/**
 * The latest messages of `room` before `options.before`, oldest first.
 *
 * @returns the messages, or `undefined` when the room does not exist.
 * @throws {TypeError} when `room` is not a room name.
 * @throws {RangeError} when `before` or `limit` is not a whole number ≥ 0.
 * @example
 * ```ts
 * declare const operable: Operable;
 * const latest = await readHistory(operable, "news", { limit: 10 });
 * ```
 */
export async function readHistory(
  operable: Operable,
  room: string,
  options: HistoryOptions = {},
): Promise<HistoryMessage[] | undefined> {
  checkRoom(room);
  const before = checkCount("before", options.before) ??
    Number.MAX_SAFE_INTEGER;
  const limit = Math.min(
    checkCount("limit", options.limit) ?? operable.historyPage,
    operable.historyPage,
  );
  if (!operable.rooms.find(room)) return undefined;
  const messages = await operable.rooms.store.before(room, before, limit);
  return messages.map(({ offset, from, text, ts }) => ({
    offset,
    from,
    text,
    ts,
  }));
}

/** Options for {@linkcode removeMember}. */
export interface RemoveOptions {
  /**
   * The reason the member's close carries, cut to 123 bytes of UTF-8.
   * @default {"removed by the server"}
   */
  reason?: string;
}

/**
 * Disconnects the member `client` of `room`: its connection is closed with
 * 1008 and the reason.
 *
 * @returns `false` when `room` has no member `client`.
 * @throws {TypeError} when `room` is not a room name or the reason not a
 * string.
 * @example
 * ```ts
 * declare const operable: Operable;
 * removeMember(operable, "news", "ab12-7", { reason: "spam" });
 * ```
 */
export function removeMember(
  operable: Operable,
  room: string,
  client: string,
  options: RemoveOptions = {},
): boolean {
  checkRoom(room);
  const { reason } = options;
  if (reason !== undefined && typeof reason !== "string") {
    throw new TypeError(`Cannot remove a member: the reason is a string`);
  }
  const connection = operable.connections.get(client);
  if (!connection || !connection.rooms().includes(room)) return false;
  // A close reason is 123 bytes of UTF-8 at most: longer, close() throws.
  connection.kick(
    removed(reason === undefined ? undefined : fitCloseReason(reason)),
  );
  return true;
}

function checkRoom(room: string): void {
  if (typeof room !== "string" || !isRoomName(room)) {
    throw new TypeError(
      `Cannot use room ${JSON.stringify(String(room))}: a room name is ` +
        "1 to 64 of A-Z a-z 0-9 . _ -",
    );
  }
}

function checkCount(name: string, value: number | undefined) {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `Cannot read history: "${name}" is ${value}, not a whole number ≥ 0`,
    );
  }
  return value;
}
