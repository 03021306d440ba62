/**
 * The bursts of natter.v1 commands the fuzzer's clients pipeline in one
 * write: a join and commands on its room before its answer can have come,
 * a send repeated at once with its key (C7), and storms past the
 * connection's budgets.
 *
 * @module
 */

import {
  commandFrame,
  type FrameSource,
  freshKey,
  type FuzzFrame,
  pickRoom,
  ROOMS,
} from "./frames.ts";

/**
 * A burst on one room, most often a fresh one: a join and then, before its
 * answer can have come, other commands on the same room.
 */
export function roomBurst(source: FrameSource): FuzzFrame[] {
  const { random } = source;
  const room = random.chance(0.6) ? `f-${random.chars(6)}` : pickRoom(source);
  const frames = [commandFrame(source, { room, type: "join" })];
  for (let i = random.between(1, 4); i > 0; i--) {
    frames.push(commandFrame(source, { room }));
  }
  return frames;
}

/**
 * A send repeated at once, as a client does that lost its connection
 * before the ack: a join, then two to four sends with one fresh key (and
 * different texts) before any answer can have come.
 */
export function resend(source: FrameSource): FuzzFrame[] {
  const { random } = source;
  const room = pickRoom(source);
  const key = freshKey(random);
  const frames = [commandFrame(source, { room, type: "join" })];
  for (let i = random.between(2, 4); i > 0; i--) {
    frames.push(commandFrame(source, { room, type: "send", key }));
  }
  return frames;
}

/**
 * A storm past a connection's budgets in one write: many joins and leaves
 * of fresh rooms (creation and join budgets), or many `history` and
 * `members` of one room (their budget). Each still owes its answer, or the
 * connection may be closed with 1008.
 */
export function storm(source: FrameSource): FuzzFrame[] {
  const { random } = source;
  const count = random.between(20, 80);
  const frames: FuzzFrame[] = [];
  if (random.chance(0.5)) {
    for (let i = 0; i < count / 2; i++) {
      const room = `s-${random.chars(6)}`;
      frames.push(commandFrame(source, { room, type: "join" }));
      frames.push(commandFrame(source, { room, type: "leave" }));
    }
  } else {
    const room = random.pick(ROOMS);
    frames.push(commandFrame(source, { room, type: "join" }));
    for (let i = 0; i < count; i++) {
      const type = random.chance(0.5) ? "history" : "members";
      frames.push(commandFrame(source, { room, type }));
    }
  }
  return frames.map((frame) => ({ ...frame, storm: true }));
}
