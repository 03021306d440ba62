/**
 * What a room's Hub is given and what it sees: its options, each with its
 * default, a member as a Subscriber, a request to join, and an inbound
 * message.
 *
 * @module
 */

import type { Batch } from "./batch.ts";
import type { CloseReason } from "../util/close_reasons.ts";
import type { Log } from "../util/log.ts";
import type { Meter } from "../util/meter.ts";
import type { CommandId } from "../protocol/events.ts";
import type { Draft, Member, Position } from "../store/store.ts";

/** What the Hub needs of a member: a queue to offer to, and a way to let go. */
export interface Subscriber {
  /**
   * Queues as many of `batch`'s messages as fit, in order, without waiting;
   * `false` when some did not fit because the queue is full.
   */
  offer(batch: Batch): boolean;
  /**
   * Called exactly once when the Hub removes the member. Without `close` the
   * member asked to leave (or was refused); with it, the Hub evicted it or is
   * shutting down and the connection should close with that code and reason
   * after handing over what is already queued.
   */
  release(close?: CloseReason): void;
}

/** A request to join the room. */
export interface Join {
  /** Where the room's batches go. */
  readonly subscriber: Subscriber;
  /** Who joins, as presence shows it. */
  readonly member: Member;
  /**
   * Set for a natter.v1 join, which is answered with `joined` (C1): the
   * command's id and the position to recover from (C2). A plain member gets
   * no reply.
   */
  readonly reply?: { readonly id: CommandId; readonly since?: Position };
}

/** A message for the room, from one of its members or from the server. */
export interface Inbound extends Draft {
  /**
   * The member that sent it: it is acknowledged or told of a failure. A
   * message without one comes from the server itself (its API).
   */
  readonly sender?: Subscriber;
  /** When it arrived, as `performance.now()`, for the fan-out histogram. */
  readonly at?: number;
  /** Told the message's offset once stored, or `undefined` if it was not. */
  readonly stored?: (offset: number | undefined) => void;
  /**
   * Set for a natter.v1 `send`, which is acknowledged with its offset (C3);
   * the value is the command's id.
   */
  readonly ack?: { readonly id: CommandId };
}

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
   * `room_full` (natter.v1) or closed with 1013 (plain).
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
   * Milliseconds a turn (its sends included) may take before the Hub paces
   * the fan-out: after a turn that took longer it waits as long again (at
   * most 10 ms) before the next, so that under load each frame carries the
   * messages of two turns' time instead of one. Below this the Hub never
   * waits. 0 turns pacing off.
   * @default {2}
   */
  paceBudget?: number;
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
