/**
 * How a connection closes for what its room told it: the WebSocket close
 * for each way a Hub lets a member go or turns a join away. Plain and
 * natter.v1 connections close alike; only a natter.v1 join that is turned
 * away is answered with an `error` instead.
 *
 * @module
 */

import type { Refusal, Release } from "../room/subscriber.ts";
import {
  type CloseReason,
  HISTORY_RESET,
  QUEUE_FULL,
  ROOM_FULL,
  UNAVAILABLE,
} from "../util/close_reasons.ts";

/**
 * The close for `release`, or `undefined` when the member asked to leave
 * and the connection stays as it is.
 *
 * @example
 * ```ts
 * import { QUEUE_FULL as EVICTED } from "../room/subscriber.ts";
 *
 * closeFor(EVICTED); // { code: 1008, reason: "send queue full" }
 * ```
 */
export function closeFor(release: Release): CloseReason | undefined {
  switch (release.kind) {
    case "left":
      return undefined;
    case "closed":
      return release.close;
    case "evicted":
      switch (release.cause) {
        case "queue_full":
          return QUEUE_FULL;
        case "history_reset":
          return HISTORY_RESET;
        case "unavailable":
          return UNAVAILABLE;
      }
  }
}

/**
 * The close of a plain connection whose join was turned away: 1013 for a
 * full room, 1011 when its store failed.
 *
 * @example
 * ```ts
 * refusalClose("room_full").code; // 1013
 * ```
 */
export function refusalClose(refusal: Refusal): CloseReason {
  return refusal === "room_full" ? ROOM_FULL : UNAVAILABLE;
}
