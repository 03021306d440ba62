/**
 * The frames the fuzzer's clients send, each with what the server owes it:
 * well-formed natter.v1 commands (whose allowed replies the model decides)
 * and plain-mode messages. Bursts of commands are in bursts.ts, the
 * malformed frames in malformed.ts.
 *
 * @module
 */

import type { Random } from "./random.ts";

/** The natter.v1 commands the fuzzer sends well-formed. */
export type CommandType = "join" | "send" | "leave" | "history" | "members";

/** A well-formed command, as the model needs to know it. */
export interface SentCommand {
  type: CommandType;
  id: number | string;
  room: string;
  /** The `limit` of `history` or `members`, when given. */
  limit?: number;
  /** A `send` whose text is over the size limit: `too_big` is owed. */
  bigText?: boolean;
  /** A `send`'s key (C7), when it has one. */
  key?: string;
  /** What a `send`'s text starts with, unique in the run, when it has one. */
  token?: string;
}

/** What the server owes one frame. */
export type Expect =
  /** A well-formed command: the model decides which replies may answer it. */
  | { kind: "command"; command: SentCommand }
  /** A refused command with a usable id: an `error` with that id and a code of these. */
  | { kind: "error"; id: number | string; codes: readonly string[] }
  /** A frame with no usable id: one `error` without an id, with this code. */
  | { kind: "anonymous"; code: string }
  /** A frame that ends the connection with this close code. */
  | { kind: "close"; code: number }
  /** A plain-mode message, which comes back to its sender holding `token`. */
  | { kind: "plain"; token: string };

/** One frame to send and what it is owed. */
export interface FuzzFrame {
  /** A text frame's text. */
  text?: string;
  /** A binary frame's bytes. */
  binary?: Uint8Array;
  expect: Expect;
  /** Part of a storm past the connection's budgets, which may close it. */
  storm?: true;
}

/** What the fuzzer has learned of the server, to make plausible commands. */
export interface Knowledge {
  /** Each room's epoch and the latest offset seen in it. */
  positions: Map<string, { epoch: string; offset: number }>;
  /** Connection ids seen in `joined` replies, for `members` `after`. */
  clients: string[];
  /** The latest keys sent (C7), with their rooms, to send again. */
  keys: { room: string; key: string }[];
}

/** The rooms most commands name, so that clients meet. */
export const ROOMS = ["lobby", "a", "b", "c.d", "e_f-1"] as const;

/** Room names natter must refuse with `invalid_room`. */
const INVALID_ROOMS = ["", "a b", "x".repeat(65), "caf\u00e9", "../up", "a/b"];

/** Where the fuzzer's commands come from: randomness, ids and knowledge. */
export interface FrameSource {
  random: Random;
  knowledge: Knowledge;
  /** A fresh id, unique in the run. */
  nextId(): number | string;
}

/** A room name: mostly a shared one, sometimes a fresh one. */
export function pickRoom(source: FrameSource): string {
  const { random } = source;
  if (random.chance(0.9)) return random.pick(ROOMS);
  return `f-${random.chars(6)}`;
}

/** A short message text holding `token` and nothing that trimming changes. */
function shortText(random: Random, token: string): string {
  const words = ["hi", "caf\u00e9", "\u{1F600}", "a\nb", "\t", "x"];
  let text = token;
  for (let i = random.int(4); i > 0; i--) text += ` ${random.pick(words)}`;
  return `${text} .`;
}

/** Which command {@linkcode commandFrame} makes, where the caller decides. */
export interface CommandChoice {
  /** The room, instead of a random one. */
  room?: string;
  /** The type, instead of a random one. */
  type?: CommandType;
  /** A `send`'s key (C7), instead of a random one or none. */
  key?: string;
}

const TYPES = [
  "join",
  "join",
  "send",
  "send",
  "send",
  "leave",
  "history",
  "members",
] as const;

/** A well-formed command (mostly) on a room of `source`'s choosing. */
export function commandFrame(
  source: FrameSource,
  choice: CommandChoice = {},
): FuzzFrame {
  const { random } = source;
  const id = source.nextId();
  const room = choice.room ??
    (random.chance(0.03) ? random.pick(INVALID_ROOMS) : pickRoom(source));
  const invalidRoom = !/^[A-Za-z0-9._-]{1,64}$/.test(room);
  const type = choice.type ?? random.pick(TYPES);
  const fields: Record<string, unknown> = { type, room, id };
  const command: SentCommand = { type, id, room };
  let refused: string | undefined = invalidRoom ? "invalid_room" : undefined;
  if (type === "join") {
    if (random.chance(0.5)) fields.nick = `n${random.chars(random.int(8))}`;
    if (random.chance(0.05)) {
      fields.nick = random.pick([
        "",
        "   ",
        "a\u0007",
        "\u202eada",
        "y".repeat(33),
      ]);
      refused ??= "invalid_nick";
    }
    if (random.chance(0.4)) fields.since = since(source, room);
  } else if (type === "send") {
    if (choice.key !== undefined) fields.key = command.key = choice.key;
    else if (random.chance(0.4)) {
      const key = sendKey(source, invalidRoom || choice.room !== undefined);
      fields.key = command.key = key.key;
      fields.room = command.room = key.room ?? room;
    }
    const size = random.next();
    if (size < 0.06) {
      fields.text = "z".repeat(random.between(513, 2000));
      command.bigText = true;
    } else if (size < 0.09) {
      fields.text = "\u00e9".repeat(random.between(257, 1000));
      command.bigText = true;
    } else if (size < 0.11) {
      fields.text = random.pick(["", "   ", "\n"]);
    } else {
      command.token = `t${id}`;
      fields.text = shortText(random, command.token);
    }
  } else if (type === "history") {
    fields.before = random.chance(0.5)
      ? (source.knowledge.positions.get(room)?.offset ?? 0) + random.int(3)
      : random.int(2000);
    if (random.chance(0.5)) {
      command.limit = fields.limit = random.between(0, 150);
    }
  } else if (type === "members") {
    if (random.chance(0.3) && source.knowledge.clients.length > 0) {
      fields.after = random.pick(source.knowledge.clients);
    } else if (random.chance(0.2)) fields.after = random.chars(6);
    if (random.chance(0.5)) {
      command.limit = fields.limit = random.between(-1, 102);
      const limit = command.limit;
      if (limit < 1 || limit > 100) refused ??= "bad_request";
    }
  }
  if (command.key !== undefined && !invalidRoom) {
    const keys = source.knowledge.keys;
    keys.push({ room: command.room, key: command.key });
    if (keys.length > 32) keys.shift();
  }
  const text = JSON.stringify(fields);
  if (new TextEncoder().encode(text).length > 4096) {
    return { text, expect: { kind: "anonymous", code: "too_big" } };
  }
  if (refused) return { text, expect: { kind: "error", id, codes: [refused] } };
  return { text, expect: { kind: "command", command } };
}

/** The characters of a send key (C7). */
const KEY_ALPHABET =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/** A fresh send key (C7): 16 to 64 random characters of its alphabet. */
export function freshKey(random: Random): string {
  return random.chars(random.between(16, 64), KEY_ALPHABET);
}

/**
 * A send key (C7): more often than not one sent before, mostly with the
 * room it was sent in (so that the send repeats it), unless the room is
 * fixed; otherwise a fresh one.
 */
function sendKey(
  source: FrameSource,
  roomFixed: boolean,
): { key: string; room?: string } {
  const { random, knowledge } = source;
  if (knowledge.keys.length > 0 && random.chance(0.6)) {
    const earlier = random.pick(knowledge.keys);
    const same = !roomFixed && random.chance(0.8);
    return same ? earlier : { key: earlier.key };
  }
  return { key: freshKey(random) };
}

/** A `since` position: real or made up, in epoch and in offset. */
function since(source: FrameSource, room: string) {
  const { random, knowledge } = source;
  const known = knowledge.positions.get(room) ??
    knowledge.positions.get(random.pick(ROOMS));
  const epoch = known && random.chance(0.7) ? known.epoch : random.chars(12);
  const latest = known?.offset ?? 0;
  const offset = random.pick([
    0,
    latest,
    Math.max(0, latest - random.int(80)),
    latest + 1 + random.int(5),
    random.int(1_000_000),
  ]);
  return { epoch, offset };
}

/** A plain-mode message: mostly short, sometimes over 512 bytes (1009). */
export function plainFrame(source: FrameSource): FuzzFrame {
  const { random } = source;
  const token = `p${source.nextId()}`;
  if (random.chance(0.02)) {
    return { text: "q".repeat(513), expect: { kind: "close", code: 1009 } };
  }
  if (random.chance(0.01)) {
    return {
      binary: new Uint8Array([0]),
      expect: { kind: "close", code: 1003 },
    };
  }
  return { text: shortText(random, token), expect: { kind: "plain", token } };
}

/** Describes a frame for a problem line, short. */
export function describe(frame: FuzzFrame): string {
  const what = frame.text?.replaceAll("\n", "\\n") ??
    `<binary ${frame.binary?.length} bytes>`;
  return what.length > 120
    ? `${what.slice(0, 100)}... (${what.length} chars)`
    : what;
}
