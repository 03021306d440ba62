/**
 * natter.v1's client-to-server commands (docs/protocol.md S2, S4, C1-C8): one
 * frame's text in, a typed command or the `error` that answers it out.
 * Nothing here throws on any input.
 *
 * @module
 */

import { isSendKey, KEY_MAX, KEY_MIN } from "../store/send_key.ts";
import type { Position } from "../store/store.ts";
import { exceedsUtf8 } from "../util/message.ts";
import type { CommandId, ErrorCode } from "./events.ts";
import { isRoomName, parseNick } from "./names.ts";

/** `join` (C1): enter a room, optionally recovering from a position (C2). */
export interface JoinCommand {
  type: "join";
  id: CommandId;
  room: string;
  /** Already trimmed and checked (R5). */
  nick?: string;
  since?: Position;
}

/** `send` (C3): a message to a joined room, not yet normalised. */
export interface SendCommand {
  type: "send";
  id: CommandId;
  room: string;
  text: string;
  /**
   * The client's idempotency key (C7), already checked: 16 to 64 of
   * `A-Z a-z 0-9 _ -` (see `store/send_key.ts`).
   */
  key?: string;
}

/** `leave` (C4). */
export interface LeaveCommand {
  type: "leave";
  id: CommandId;
  room: string;
}

/** `history` (C5): messages before an offset, oldest first. */
export interface HistoryCommand {
  type: "history";
  id: CommandId;
  room: string;
  before: number;
  /** How many at most; absent means the server's page size. */
  limit?: number;
}

/** `members` (C8): a page of the room's members, after a client id. */
export interface MembersCommand {
  type: "members";
  id: CommandId;
  room: string;
  /** The client id to list from (exclusive); absent lists from the first. */
  after?: string;
  /** How many at most, at least 1; absent means the server's page size. */
  limit?: number;
}

/** Any command natter.v1 knows. */
export type Command =
  | JoinCommand
  | SendCommand
  | LeaveCommand
  | HistoryCommand
  | MembersCommand;

/** Why a frame is not a command: the `error` event's fields (E3). */
export interface CommandError {
  id: CommandId;
  code: ErrorCode;
  message: string;
}

/** The result of {@linkcode parseCommand}. */
export type Parsed =
  | { ok: true; command: Command }
  | { ok: false; error: CommandError };

type Fields = Record<string, unknown>;

/** Options for {@linkcode parseCommand}. */
export interface ParseOptions {
  /**
   * The most UTF-8 bytes a command may have: a larger frame is `too_big`,
   * without an id, since it is not read.
   * @default {Infinity}
   */
  maxBytes?: number;
}

/**
 * Parses one text frame as a command (S2): a JSON object with a string
 * `type`. A frame over the size limit is `too_big`; one that is not a
 * command, or a command with a missing or ill-typed field, is
 * `bad_request`; an unknown type is `unknown_type`; a bad room or nick is
 * `invalid_room` or `invalid_nick` (S4, R1, R5).
 *
 * @example
 * ```ts
 * parseCommand('{"type":"leave","room":"lobby","id":7}');
 * // { ok: true, command: { type: "leave", id: 7, room: "lobby" } }
 * parseCommand('{"type":"leave","room":"lobby"}', { maxBytes: 16 });
 * // { ok: false, error: { id: undefined, code: "too_big", message: ... } }
 * ```
 */
export function parseCommand(text: string, options: ParseOptions = {}): Parsed {
  const { maxBytes = Infinity } = options;
  if (exceedsUtf8(text, maxBytes)) {
    const message = `A command is ${maxBytes} bytes at most`;
    return fail(undefined, "too_big", message);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(undefined, "bad_request", "Cannot parse the frame as JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(undefined, "bad_request", "A command must be a JSON object");
  }
  const fields = value as Fields;
  const id = fields.id;
  if (id !== undefined && typeof id !== "number" && typeof id !== "string") {
    return fail(undefined, "bad_request", `"id" must be a number or a string`);
  }
  if (typeof fields.type !== "string") {
    return fail(id, "bad_request", `A command needs a string "type"`);
  }
  switch (fields.type) {
    case "join":
      return parseJoin(id, fields);
    case "send":
      return withRoom(id, fields, (room) => {
        const { text, key } = fields;
        if (typeof text !== "string") {
          return fail(id, "bad_request", `"send" needs a string "text"`);
        }
        if (key === undefined) return ok({ type: "send", id, room, text });
        if (!isSendKey(key)) {
          return fail(
            id,
            "bad_request",
            `"key" must be ${KEY_MIN} to ${KEY_MAX} of A-Z, a-z, 0-9, '_', '-'`,
          );
        }
        return ok({ type: "send", id, room, text, key });
      });
    case "leave":
      return withRoom(id, fields, (room) => ok({ type: "leave", id, room }));
    case "history":
      return withRoom(id, fields, (room) => {
        const { before, limit } = fields;
        if (!isCount(before)) {
          return fail(id, "bad_request", `"before" must be an offset`);
        }
        if (limit !== undefined && !isCount(limit)) {
          return fail(id, "bad_request", `"limit" must be a whole number`);
        }
        return ok({ type: "history", id, room, before, limit });
      });
    case "members":
      return withRoom(id, fields, (room) => {
        const { after, limit } = fields;
        if (
          after !== undefined && after !== null && typeof after !== "string"
        ) {
          return fail(id, "bad_request", `"after" must be a client id`);
        }
        if (limit !== undefined && (!isCount(limit) || limit < 1)) {
          return fail(
            id,
            "bad_request",
            `"limit" must be a whole number from 1`,
          );
        }
        const command: MembersCommand = { type: "members", id, room };
        if (typeof after === "string") command.after = after;
        if (limit !== undefined) command.limit = limit;
        return ok(command);
      });
    default:
      return fail(
        id,
        "unknown_type",
        `Unknown command type "${fields.type.slice(0, 32)}"`,
      );
  }
}

function parseJoin(id: CommandId, fields: Fields): Parsed {
  return withRoom(id, fields, (room) => {
    const command: JoinCommand = { type: "join", id, room };
    if (fields.nick !== undefined) {
      if (typeof fields.nick !== "string") {
        return fail(id, "bad_request", `"nick" must be a string`);
      }
      const nick = parseNick(fields.nick);
      if (nick === undefined) {
        return fail(
          id,
          "invalid_nick",
          "A nick is 1 to 32 characters with no control or format characters",
        );
      }
      command.nick = nick;
    }
    if (fields.since !== undefined) {
      const since = fields.since as Fields | null;
      if (
        typeof since !== "object" || since === null ||
        typeof since.epoch !== "string" || !isCount(since.offset)
      ) {
        return fail(
          id,
          "bad_request",
          `"since" must be {"epoch": string, "offset": whole number}`,
        );
      }
      command.since = { epoch: since.epoch, offset: since.offset };
    }
    return ok(command);
  });
}

/** Checks the command's `room` (R1), then goes on with it. */
function withRoom(
  id: CommandId,
  fields: Fields,
  next: (room: string) => Parsed,
): Parsed {
  if (typeof fields.room !== "string") {
    return fail(id, "bad_request", `"${fields.type}" needs a string "room"`);
  }
  if (!isRoomName(fields.room)) {
    return fail(
      id,
      "invalid_room",
      "A room name is 1 to 64 of A-Z, a-z, 0-9, '.', '_' and '-'",
    );
  }
  return next(fields.room);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function ok(command: Command): Parsed {
  return { ok: true, command };
}

function fail(id: CommandId, code: ErrorCode, message: string): Parsed {
  return { ok: false, error: { id, code, message } };
}
