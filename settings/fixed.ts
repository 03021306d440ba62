/**
 * The settings that have no flag: tuning that the options of `serve`, a Hub
 * or a Client change, declared with their defaults beside the flags'
 * (settings.ts) so that no module writes a default of its own.
 *
 * @module
 */

import type { Setting } from "./setting.ts";

/**
 * The fixed settings, by the key of the option they set.
 *
 * @example
 * ```ts
 * FIXED.backlog.default; // 8192
 * ```
 */
// deno-fmt-ignore -- a table: a setting's fields together, a line or two each
export const FIXED = {
  highWaterMark: {
    group: "fixed", type: "integer", unit: "bytes", default: 64 * 1024,
    help: "unsent bytes above which a client's writer stops feeding its socket",
  },
  maxWaiting: {
    group: "fixed", type: "integer", unit: "count", default: 16384,
    help: "inbound messages that may wait for a room's Hub, all senders " +
      "together",
  },
  shutdownTimeout: {
    group: "fixed", type: "integer", unit: "milliseconds", default: 5000,
    help: "how long a shutdown waits for connections to close",
  },
  backlog: {
    group: "fixed", type: "integer", unit: "count", default: 8192,
    help: "requests that may wait in each of a Hub's channels",
  },
  replay: {
    group: "fixed", type: "integer", unit: "count", default: 50,
    help: "recent messages a join without recovery replays",
  },
  historyPage: {
    group: "fixed", type: "integer", unit: "count", default: 100,
    help: "the most messages one history reply holds",
  },
  maxCommandSize: {
    group: "fixed", type: "integer", unit: "bytes", default: 4096,
    help: "the largest natter.v1 command; raised to hold a message of " +
      "--max-message-size",
  },
  presenceLimit: {
    group: "fixed", type: "integer", unit: "count", default: 200,
    help: "members above which a room's presence events carry only its count",
  },
  presenceResume: {
    group: "fixed", type: "integer", unit: "count", default: 150,
    help: "members at or below which a count-only room lists arrivals again",
  },
  presenceInterval: {
    group: "fixed", type: "integer", unit: "milliseconds", default: 500,
    help: "the least time between a count-only room's presence events; " +
      "1 ms more per 10 members above 5000",
  },
  paceBudget: {
    group: "fixed", type: "integer", unit: "milliseconds", default: 2,
    zero: "no pacing",
    help: "how long a Hub's turn may take before it paces the fan-out",
  },
} as const satisfies Record<string, Setting>;
