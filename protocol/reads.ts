/**
 * The reads a natter.v1 connection may make of a room it is in: a page of
 * its history (C5) and a page of its members (C8), each answered with its
 * reply, or with `unavailable` when the store cannot answer now.
 *
 * @module
 */

import type { Hub } from "../hub.ts";
import type { Link } from "../connection/link.ts";
import type { Store } from "../store/store.ts";
import {
  type CommandId,
  type ErrorCode,
  historyEvent,
  membersEvent,
} from "./events.ts";

/** How a read that failed is answered: with an `error`, within budget. */
export type ReadFailed = (id: CommandId, code: ErrorCode, text: string) => void;

/**
 * Answers `history` with up to `limit` messages of `room` before `before`.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "../store/memory.ts";
 * import type { Link } from "../connection/link.ts";
 * declare const link: Link;
 *
 * const read = { id: 1, room: "lobby", before: 10, limit: 100 };
 * readHistory(link, new MemoryStore(), read, () => {});
 * ```
 */
export function readHistory(
  link: Link,
  store: Store,
  read: { id: CommandId; room: string; before: number; limit: number },
  failed: ReadFailed,
): void {
  const { id, room } = read;
  store.before(room, read.before, read.limit).then(
    (messages) => link.reply(historyEvent(id, room, messages)),
    () => failed(id, "unavailable", "History is unavailable now"),
  );
}

/**
 * Answers `members` with up to `limit` members of `hub`'s room after the
 * client id `after`.
 *
 * @example
 * ```ts
 * import type { Link } from "../connection/link.ts";
 * declare const link: Link;
 * import type { Hub } from "../hub.ts";
 * declare const hub: Hub;
 *
 * readMembers(link, hub, { id: 2, limit: 100 }, () => {});
 * ```
 */
export function readMembers(
  link: Link,
  hub: Hub,
  read: { id: CommandId; after?: string; limit: number },
  failed: ReadFailed,
): void {
  hub.members(read.after, read.limit).then(
    (page) => link.reply(membersEvent(read.id, hub.room, page)),
    () => failed(read.id, "unavailable", "Members are unavailable now"),
  );
}
