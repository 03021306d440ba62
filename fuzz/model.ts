/**
 * The fuzzer's model of one connection: which replies each frame it sent may
 * legitimately get, given which rooms the connection is in when the server
 * reads that frame, and the check of a finished connection's record against
 * it.
 *
 * A Session reads a connection's frames in order, so room membership is
 * walked in send order, learning from each reply: `joined` and
 * `already_joined` mean in, `left` and `not_joined` mean out, and a command
 * whose answer never came leaves it unknown. Where the model is sure, it
 * allows one answer (a command on a room never joined is `not_joined`);
 * elsewhere it allows every answer the protocol documents for that case.
 * Sends with keys are checked against the earlier acks of their keys
 * (`keys.ts`).
 *
 * @module
 */

import { describe, type Expect, type SentCommand } from "./frames.ts";
import { KeyLedger } from "./keys.ts";
import type { ConnectionRecord, Event } from "./record.ts";
import { shapeProblems } from "./shapes.ts";

/** Close codes the server may end a misbehaving client's connection with. */
export const ALLOWED_CLOSES: ReadonlySet<number> = new Set([1003, 1008, 1009]);

const REPLY_TYPES = new Set(["joined", "left", "history", "members", "ack"]);
const EVENT_TYPES = new Set(["message", "presence", "error", ...REPLY_TYPES]);

type Membership = "in" | "out" | "unknown";

/** What the model needs to know of natter's configuration. */
export interface ModelOptions {
  /**
   * Whether natter runs with `--redis`, the one store that may answer
   * `unavailable`.
   * @default {false}
   */
  redis?: boolean;
}

/** How many times each key was seen. */
class Counts extends Map<string, number> {
  add(key: string): void {
    this.set(key, (this.get(key) ?? 0) + 1);
  }
}

/**
 * The answers `command` may get when the connection's membership of its room
 * is `state`: reply types and `error:CODE` strings.
 */
export function allowedAnswers(
  command: SentCommand,
  state: Membership,
  options: ModelOptions = {},
): Set<string> {
  const when: Record<"in" | "out", string[]> = { in: [], out: [] };
  switch (command.type) {
    case "join":
      when.in = ["error:already_joined", "error:rate_limited"];
      when.out = [
        "joined",
        "error:rate_limited",
        "error:too_many_rooms",
        "error:room_full",
        "error:unavailable",
      ];
      break;
    case "send":
      when.in = command.bigText
        ? ["error:too_big"]
        : ["ack", "error:rate_limited", "error:unavailable"];
      when.out = command.bigText
        ? ["error:not_joined", "error:too_big"]
        : ["error:not_joined"];
      break;
    case "leave":
      when.in = ["left", "error:rate_limited"];
      when.out = ["error:not_joined"];
      break;
    case "history":
    case "members":
      when.in = [command.type, "error:rate_limited", "error:unavailable"];
      when.out = ["error:not_joined"];
  }
  const answers = state === "unknown" ? [...when.in, ...when.out] : when[state];
  // Only a store that can be unreachable (Redis) may make natter unavailable.
  return new Set(
    options.redis ? answers : answers.filter((a) => a !== "error:unavailable"),
  );
}

/** What a reply to `command` says of its room's membership after it. */
function learn(command: SentCommand, answer: string, before: Membership) {
  if (answer === "joined" || answer === "error:already_joined") return "in";
  if (answer === "left" || answer === "error:not_joined") return "out";
  if (["ack", "history", "members"].includes(answer)) return "in";
  if (command.type === "join" && answer.startsWith("error:")) {
    // Refused before the Hub saw it, or by the Hub: out either way, but a
    // refusal by the Hub comes after later commands may have seen the join.
    return ["error:room_full", "error:unavailable"].includes(answer)
      ? "unknown"
      : before;
  }
  return before;
}

/** The answer an event is, as {@linkcode allowedAnswers} names answers. */
function answerOf(event: Event): string {
  return event.type === "error" ? `error:${event.code}` : String(event.type);
}

/**
 * Checks one finished connection against the model.
 *
 * @returns one line per problem found; none when the server kept its word.
 */
export function checkConnection(
  record: ConnectionRecord,
  options: ModelOptions = {},
): string[] {
  const problems: string[] = [];
  const say = (line: string) => problems.push(`${record.label}: ${line}`);
  const { ending } = record;
  const closeOwed = record.sent.find((f) => f.expect.kind === "close");
  // A peer that goes on sending after natter closed its connection may lose
  // the close frame: Deno closes its side with the later frames unread, TCP
  // resets the connection, and a reset discards what the peer had received
  // but not read yet (reproduced alone: 2 in 30 peers that sent 150 refused
  // commands, then more for 200-400 ms before reading). So a connection
  // that sent what closes it (a binary or oversized frame with more after
  // it, or a storm past its budgets) may end in EOF. A 1011 could hide
  // there too, but every internal error is logged as an error, which fails
  // the run.
  const closeLostToReset = ending.by === "eof" && (
    (closeOwed !== undefined &&
      record.sent.indexOf(closeOwed) < record.sent.length - 1) ||
    record.sent.some((f) => f.storm)
  );
  if (ending.by === "server") {
    if (ending.code === 1011) {
      say(`closed with 1011 "${ending.reason}" (internal error)`);
    } else if (ending.code === null || !ALLOWED_CLOSES.has(ending.code)) {
      say(
        `closed with ${ending.code} "${ending.reason}", not a documented code`,
      );
    }
  } else if (ending.by === "eof" && record.reads && !closeLostToReset) {
    say(`connection ended with no close frame (${ending.detail})`);
  }
  if (!record.reads) return problems;
  // A connection the server closed, or that we closed, may leave frames
  // unanswered; one still open at the end owes every answer.
  const owed = ending.by === "us";
  if (closeOwed && ending.by !== "us" && !closeLostToReset) {
    const code = (closeOwed.expect as { code: number }).code;
    if (
      !(ending.by === "server" &&
        (ending.code === code || ending.code === 1008))
    ) {
      say(
        `sent ${describe(closeOwed)}, owed close ${code}, got ${
          JSON.stringify(ending)
        }`,
      );
    }
  }
  if (record.mode === "plain") {
    return [
      ...problems,
      ...checkPlain(record, owed && !closeOwed).map((p) =>
        `${record.label}: ${p}`
      ),
    ];
  }
  return [
    ...problems,
    ...checkV1(record, owed && !closeOwed, options).map((p) =>
      `${record.label}: ${p}`
    ),
  ];
}

function checkPlain(record: ConnectionRecord, owed: boolean): string[] {
  if (!owed) return [];
  const got = record.texts.join("\n");
  return record.sent
    .filter((f) => f.expect.kind === "plain")
    .filter((f) => !got.includes((f.expect as { token: string }).token + " "))
    .map((f) => `never got back its message ${describe(f)}`);
}

function checkV1(
  record: ConnectionRecord,
  owed: boolean,
  options: ModelOptions,
): string[] {
  const problems: string[] = [];
  const answers = new Map<unknown, Event>();
  const anonymous = new Counts();
  for (const event of record.events) {
    if (!EVENT_TYPES.has(event.type)) {
      problems.push(`unknown event ${JSON.stringify(event)}`);
    } else if (event.type === "error" && event.id === undefined) {
      anonymous.add(event.code);
    } else if (event.type === "error" || REPLY_TYPES.has(event.type)) {
      if (answers.has(event.id)) {
        problems.push(
          `a second answer to id ${event.id}: ${JSON.stringify(event)}`,
        );
      }
      answers.set(event.id, event);
    }
  }
  const membership = new Map<string, Membership>();
  const keys = new KeyLedger(record.events);
  const ids = new Set<unknown>();
  const anonymousOwed = new Counts();
  for (const frame of record.sent) {
    const expect: Expect = frame.expect;
    if (expect.kind === "anonymous") anonymousOwed.add(expect.code);
    if (expect.kind !== "command" && expect.kind !== "error") continue;
    const id = expect.kind === "command" ? expect.command.id : expect.id;
    ids.add(id);
    if (expect.kind === "command") keys.sent(expect.command);
    const reply = answers.get(id);
    if (!reply) {
      if (owed) problems.push(`no answer to ${describe(frame)}`);
      if (
        expect.kind === "command" &&
        (expect.command.type === "join" || expect.command.type === "leave")
      ) {
        membership.set(expect.command.room, "unknown");
      }
      continue;
    }
    const answer = answerOf(reply);
    if (expect.kind === "error") {
      if (!expect.codes.map((c) => `error:${c}`).includes(answer)) {
        problems.push(
          `${describe(frame)} owed ${expect.codes.join("/")}, got ${
            JSON.stringify(reply)
          }`,
        );
      }
      continue;
    }
    const { command } = expect;
    const state = membership.get(command.room) ?? "out";
    const allowed = allowedAnswers(command, state, options);
    if (!allowed.has(answer)) {
      problems.push(
        `${describe(frame)} (room ${state}) got ${
          JSON.stringify(reply).slice(0, 300)
        }; allowed: ${[...allowed].join(", ")}`,
      );
    }
    problems.push(...shapeProblems(command, reply));
    if (answer === "ack") problems.push(...keys.acked(command, reply.offset));
    membership.set(command.room, learn(command, answer, state));
  }
  for (const id of answers.keys()) {
    if (!ids.has(id)) {
      problems.push(`an answer to id ${id}, which was never sent`);
    }
  }
  for (const code of new Set([...anonymous.keys(), ...anonymousOwed.keys()])) {
    const got = anonymous.get(code) ?? 0;
    const due = anonymousOwed.get(code) ?? 0;
    if (got > due || (owed && got !== due)) {
      problems.push(
        `${got} "${code}" errors without an id, for ${due} frames owed one`,
      );
    }
  }
  return problems;
}
