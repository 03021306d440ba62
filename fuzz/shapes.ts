/**
 * The shape each natter.v1 reply must have, whatever the model allows it to
 * say: an error with a message, a `joined` with its epoch, offset, history,
 * presence and count, an `ack` with an offset, and history and member pages
 * within the limits the command asked for.
 *
 * @module
 */

import type { SentCommand } from "./frames.ts";
import type { Event } from "./record.ts";

/** The shape problems of `reply` to `command`, if any. */
export function shapeProblems(command: SentCommand, reply: Event): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(`${reply.type} ${what}: ${JSON.stringify(reply)}`);
  };
  if (reply.type !== "error") {
    need(reply.room === command.room, "names another room");
  }
  if (reply.type === "error") {
    need(typeof reply.message === "string", "has no message");
  }
  if (reply.type === "joined") {
    need(typeof reply.epoch === "string", "has no epoch");
    need(Number.isSafeInteger(reply.offset), "has no offset");
    need(Array.isArray(reply.history), "has no history list");
    need(Array.isArray(reply.presence), "has no presence list");
    need(Number.isSafeInteger(reply.count), "has no count");
  } else if (reply.type === "ack") {
    need(
      Number.isSafeInteger(reply.offset) && reply.offset > 0,
      "has no offset",
    );
  } else if (reply.type === "history") {
    const most = Math.min(command.limit ?? 100, 100);
    need(Array.isArray(reply.messages), "has no messages");
    need((reply.messages?.length ?? 0) <= most, `holds more than ${most}`);
  } else if (reply.type === "members") {
    need(Array.isArray(reply.members), "has no members");
    need((reply.members?.length ?? 0) <= (command.limit ?? 100), "is too long");
    need(Number.isSafeInteger(reply.count), "has no count");
    need(
      reply.next === null || typeof reply.next === "string",
      "has a bad next",
    );
  }
  return problems;
}
