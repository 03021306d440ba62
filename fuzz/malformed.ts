/**
 * The frames a natter.v1 client must not send, each with the one answer it
 * must get: bad JSON, a value that is not an object, a missing or
 * ill-typed field (a bad send key too), an unknown type, a frame too big
 * to read, and (rarely, as it ends the connection) a binary frame.
 *
 * @module
 */

import { type FrameSource, type FuzzFrame, ROOMS } from "./frames.ts";

/**
 * A frame that is not a well-formed command: bad JSON, a value that is not
 * an object, a missing or ill-typed field (a send key out of C7's form
 * among them), an unknown type, a frame over 4096 bytes, or (rarely, it
 * ends the connection) a binary frame.
 */
export function malformedFrame(source: FrameSource): FuzzFrame {
  const { random } = source;
  const badKey = () =>
    random.pick<unknown>([
      random.chars(random.int(16)),
      random.chars(random.between(65, 300)),
      `${random.chars(10)} ${random.chars(10)}`,
      `${random.chars(10)}.${random.chars(10)}`,
      "é".repeat(20),
      random.int(1e9),
      null,
      [random.chars(20)],
    ]);
  const id = source.nextId();
  const anonymous = (text: string, code = "bad_request"): FuzzFrame => ({
    text,
    expect: { kind: "anonymous", code },
  });
  const refused = (fields: unknown, code = "bad_request"): FuzzFrame => ({
    text: JSON.stringify(fields),
    expect: { kind: "error", id, codes: [code] },
  });
  const room = random.pick(ROOMS);
  switch (random.int(15)) {
    case 0:
      return anonymous(random.pick(['{"type":"join",', "{", "nope", "{]"]));
    case 1:
      return anonymous(random.pick(["[1,2]", '"join"', "null", "42", "[]"]));
    case 2:
      return anonymous(JSON.stringify({ type: "join", room, id: { n: 1 } }));
    case 3:
      return refused({ type: 7, room, id });
    case 4:
      return refused({ room, id });
    case 5:
      return refused({ type: "send", room, text: 5, id });
    case 6:
      return refused({ type: "join", room: 12, id });
    case 7:
      return refused({ type: "history", room, before: -1, id });
    case 8:
      return refused({ type: "history", room, before: "x", id });
    case 9:
      return refused({ type: "join", room, since: { epoch: 3 }, id });
    case 10:
      return refused(
        { type: random.pick(["dance", "JOIN", ""]), id },
        "unknown_type",
      );
    case 11:
      return refused({ type: "members", room, limit: "all", id });
    case 12:
      return anonymous(
        JSON.stringify({ type: "send", room, text: "w".repeat(4100), id }),
        "too_big",
      );
    case 13:
      return refused({ type: "send", room, text: "k", key: badKey(), id });
    default:
      if (random.chance(0.15)) {
        return {
          binary: new Uint8Array([1, 2, random.int(256)]),
          expect: { kind: "close", code: 1003 },
        };
      }
      return anonymous("x".repeat(random.between(4097, 9000)), "too_big");
  }
}
