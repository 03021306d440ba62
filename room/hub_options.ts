/**
 * What a room's Hub is given: its options, each with its default.
 *
 * @module
 */

import type { Log } from "../util/log.ts";
import type { Meter } from "../util/meter.ts";

/** Options for {@linkcode Hub}. */
export interface HubOptions {
  /**
   * How many register, unregister and broadcast requests may wait for the Hub
   * in each channel before senders have to wait. One turn can bring
   * thousands of messages: after a pause (a cold start, a busy core) Deno
   * hands over everything the sockets buffered meanwhile.
   * @default {8192}
   */
  backlog?: number;
  /**
   * The most messages offered to members as one batch. Between batches the
   * writers run and the event loop turns, so a burst larger than this
   * reaches a member that keeps up in several frames, each written out
   * before the next, instead of overflowing its queue. At most the queue
   * size.
   * @default {256}
   */
  maxBatch?: number;
  /**
   * The most members the room admits; a join beyond is refused with
   * refused as `room_full`.
   * @default {10000}
   */
  maxMembers?: number;
  /**
   * How many recent messages a join without recovery replays (C2).
   * @default {50}
   */
  replay?: number;
  /**
   * The most members one `joined` or `members` reply lists (C1, C8), and
   * how many `members` lists when the command names no limit.
   * @default {100}
   */
  memberPage?: number;
  /**
   * Members above which the room's presence events carry only its count
   * (E2), at most every `presenceInterval`.
   * @default {200}
   */
  presenceLimit?: number;
  /**
   * Members at or below which a room that told only its count lists who
   * joined and left again. At most `presenceLimit`.
   * @default {150}
   */
  presenceResume?: number;
  /**
   * The least milliseconds between two count-only presence events of a
   * room; 1 ms more for every 10 members above 5,000.
   * @default {500}
   */
  presenceInterval?: number;
  /**
   * Milliseconds a turn is expected to cost (its members times what a frame
   * costs, see room/pacer.ts) before the Hub paces the fan-out; a room whose
   * turns cost less never waits between them. 0 turns pacing off.
   * @default {2}
   */
  paceBudget?: number;
  /**
   * The longest, in milliseconds, pacing may hold a message before its turn
   * ends (`--latency-budget`): a room whose turns are dear waits between
   * them so that its frames fill, but never longer than this. 0 turns
   * pacing off.
   * @default {40}
   */
  latencyBudget?: number;
  /**
   * Inbound messages that may wait for room in the broadcast channel, all
   * senders together; past it, the sender with the most waiting is closed
   * with 1008 and what it had waiting dropped (see intake.ts).
   * @default {16384}
   */
  maxWaiting?: number;
  /** Where to count messages and evictions. */
  meter?: Meter;
  /** Called after a turn that left the room with no members. */
  onEmpty?: () => void;
  /** Where to report a store that failed. */
  log?: Log;
}
