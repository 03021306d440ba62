/**
 * natter.v1's server-to-client events (docs/protocol.md E1-E3, and the replies
 * C1-C5, C8), serialised as the JSON text of one event each. A frame is a JSON
 * array of them (S3): see {@linkcode frameOf}.
 *
 * @module
 */

import type { Encoding, Notice } from "../room/batch.ts";
import type { MemberPage } from "../room/member_list.ts";
import type { Member, StoredMessage } from "../store/store.ts";

export type { MemberPage } from "../room/member_list.ts";

/** An id a command carried, echoed in what answers it (S2). */
export type CommandId = number | string | undefined;

/** The error codes of docs/protocol.md E3. */
export type ErrorCode =
  | "bad_request"
  | "unknown_type"
  | "invalid_room"
  | "invalid_nick"
  | "not_joined"
  | "already_joined"
  | "too_big"
  | "room_full"
  | "too_many_rooms"
  | "rate_limited"
  | "unauthorized"
  | "forbidden"
  | "unavailable";

/**
 * The `message` event of `message` (E1), serialised once and kept on the
 * message, so every member and every replay shares the same text.
 */
export function messageEvent(message: StoredMessage): string {
  return message.json ??= JSON.stringify({
    type: "message",
    room: message.room,
    offset: message.offset,
    from: message.from,
    text: message.text,
    ts: message.ts,
  });
}

/** The messages' events as a JSON array's text, oldest first. */
export function messageList(messages: readonly StoredMessage[]): string {
  return "[" + messages.map(messageEvent).join(",") + "]";
}

/**
 * The texts of lists that many replies of a turn share, made once per list:
 * a turn's joiners get the same member page, and those that asked from the
 * same place the same history.
 */
const shared = new WeakMap<readonly unknown[], string>();

/** `list`'s text as `make` writes it, made once however often asked for. */
function sharedText<T extends readonly unknown[]>(
  list: T,
  make: (list: T) => string,
): string {
  let text = shared.get(list);
  if (text === undefined) {
    text = make(list);
    shared.set(list, text);
  }
  return text;
}

/**
 * The `joined` reply (C1, C2); `client` is the joiner's own id, `presence`
 * the first page of the room's members and `count` how many it has.
 */
export function joinedEvent(reply: {
  id: CommandId;
  room: string;
  nick: string;
  client: string;
  epoch: string;
  offset: number;
  recovered: boolean;
  history: readonly StoredMessage[];
  presence: readonly Member[];
  count: number;
}): string {
  // The member page and the history are spliced in as text made once for
  // every joiner of the turn that shares them.
  const head = JSON.stringify({
    type: "joined",
    id: reply.id,
    room: reply.room,
    nick: reply.nick,
    client: reply.client,
    epoch: reply.epoch,
    offset: reply.offset,
    recovered: reply.recovered,
    count: reply.count,
  });
  const presence = sharedText(reply.presence, JSON.stringify);
  const history = sharedText(reply.history, messageList);
  return head.slice(0, -1) +
    `,"presence":${presence},"history":${history}}`;
}

/**
 * A `presence` event (E2): a turn's joins and leaves in one room, and how
 * many members it has after them.
 */
export function presenceEvent(
  room: string,
  joined: readonly Member[],
  left: readonly Member[],
  count: number,
): string {
  return JSON.stringify({ type: "presence", room, joined, left, count });
}

/** The `members` reply (C8). */
export function membersEvent(
  id: CommandId,
  room: string,
  page: MemberPage,
): string {
  const { members, count, next } = page;
  return JSON.stringify({ type: "members", id, room, members, count, next });
}

/** The `ack` to a `send` (C3). */
export function ackEvent(id: CommandId, room: string, offset: number): string {
  return JSON.stringify({ type: "ack", id, room, offset });
}

/** The `left` reply (C4). */
export function leftEvent(id: CommandId, room: string): string {
  return JSON.stringify({ type: "left", id, room });
}

/** The `history` reply (C5). */
export function historyEvent(
  id: CommandId,
  room: string,
  messages: readonly StoredMessage[],
): string {
  const head = JSON.stringify({ type: "history", id, room });
  return head.slice(0, -1) + `,"messages":${messageList(messages)}}`;
}

/** An `error` event (E3); `id` when it answers a command that had one. */
export function errorEvent(
  id: CommandId,
  code: ErrorCode,
  message: string,
): string {
  return JSON.stringify({ type: "error", id, code, message });
}

/** One frame's text for `events`, already serialised: a JSON array (S3). */
export function frameOf(events: readonly string[]): string {
  return EVENTS.frame(events.join(EVENTS.separator));
}

/** The text of one notice: presence news becomes its event (E2). */
function noticeEvent(notice: Notice): string {
  if (typeof notice === "string") return notice;
  const { room, joined, left, count } = notice;
  return presenceEvent(room, joined, left, count);
}

/**
 * How natter.v1 members write batches (S3): notices, then an event per
 * message, all in one JSON array per frame.
 */
export const EVENTS: Encoding = {
  notices: true,
  items(notices, messages) {
    const parts = notices.length === 0
      ? messages.map(messageEvent)
      : [...notices.map(noticeEvent), ...messages.map(messageEvent)];
    return parts.join(",");
  },
  separator: ",",
  frame: (items) => "[" + items + "]",
};
