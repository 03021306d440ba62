/**
 * What a natter.v1 `Session` is given: its options, each limit and
 * budget with its default, and what it needs of its connection's Client.
 *
 * @module
 */

/** Options for `Session`. */
export interface SessionOptions {
  /**
   * The largest `send` text in UTF-8 bytes (K2); a longer one is refused
   * with `too_big` and the connection stays open.
   * @default {512}
   */
  maxMessageSize?: number;
  /**
   * The largest command frame in UTF-8 bytes; a larger one is refused with
   * `too_big` unread.
   * @default {4096}
   */
  maxCommandSize?: number;
  /**
   * How many rooms one connection may be in at once; a join beyond is
   * refused with `too_many_rooms`.
   * @default {32}
   */
  maxRoomsPerClient?: number;
  /**
   * The most messages one `history` reply holds (C5), and how many it holds
   * when the command names no limit.
   * @default {100}
   */
  historyPage?: number;
  /**
   * Joins and leaves a second one connection may make (a token bucket with a
   * burst of twice the rooms a connection may be in); beyond it they are
   * refused with `rate_limited`. Off when 0.
   * @default {10}
   */
  joinRate?: number;
  /**
   * `history` and `members` commands a second one connection may make (a
   * token bucket with a burst of twice the rate); beyond it they are
   * refused with `rate_limited`. Off when 0.
   * @default {10}
   */
  historyRate?: number;
  /**
   * New rooms a second one connection may create by joining them (a token
   * bucket with a burst of the rooms a connection may be in); beyond it
   * such a join is refused with `rate_limited`. Off when 0.
   * @default {1}
   */
  createRate?: number;
  /**
   * The most members one `joined` or `members` reply lists (C1, C8), and
   * how many `members` lists when the command names no limit.
   * @default {100}
   */
  memberPage?: number;
}
