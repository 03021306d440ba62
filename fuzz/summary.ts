/**
 * The summary a fuzz run prints: how many of each answer, event and close
 * its connections saw, and of each close natter logged.
 *
 * @module
 */

import type { ConnectionRecord } from "./record.ts";

/**
 * How many of each answer, event and close the records hold, and of each
 * close natter logged in `logLines`.
 *
 * @example
 * ```ts
 * summarize([], ['{"message":"client evicted: send queue full (0 bytes unsent)"}']);
 * // { "log: client evicted: send queue full": 1 }
 * ```
 */
export function summarize(
  records: ConnectionRecord[],
  logLines: readonly string[],
): Record<string, number> {
  const summary: Record<string, number> = {};
  const count = (key: string) => summary[key] = (summary[key] ?? 0) + 1;
  for (const record of records) {
    // An ack naming an offset acked before in its room: a repeated key (C7).
    const acked = new Set<string>();
    for (const event of record.events) {
      count(
        event.type === "error" ? `error:${event.code}` : String(event.type),
      );
      if (event.type !== "ack") continue;
      const at = `${event.room} ${event.offset}`;
      if (acked.has(at)) count("ack of a repeat");
      acked.add(at);
    }
    if (record.mode === "plain") {
      summary["plain messages"] = (summary["plain messages"] ?? 0) +
        record.texts.length;
    }
    const { ending } = record;
    count(
      ending.by === "server"
        ? `close ${ending.code} ${ending.reason}`
        : `ended by ${ending.by}`,
    );
  }
  for (const line of logLines) {
    const closed = /client (evicted|closed by server): [^"(]*/.exec(line);
    if (closed) count(`log: ${closed[0].trim()}`);
  }
  return summary;
}
