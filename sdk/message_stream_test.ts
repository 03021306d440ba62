import assert from "node:assert/strict";
import type { JoinedEvent, Message } from "./frames.ts";
import { MessageStream } from "./message_stream.ts";

const from = { client: "c-1", nick: "ada" };
const message = (offset: number, text = `m${offset}`): Message => ({
  room: "den",
  offset,
  from,
  text,
  ts: 0,
});

function joined(
  epoch: string,
  offset: number,
  history: Message[],
  recovered: boolean,
): JoinedEvent {
  return {
    type: "joined",
    id: 1,
    room: "den",
    nick: "ada",
    client: "c-1",
    epoch,
    offset,
    recovered,
    history,
    presence: [],
    count: 1,
  };
}

function stream() {
  const seen: string[] = [];
  const told: [boolean, string][] = [];
  const s = new MessageStream(100, {
    message: (m) => seen.push(m.text),
    recovery: (recovered, epoch) => told.push([recovered, epoch]),
  });
  return { s, seen, told };
}

Deno.test("MessageStream: the first join's history is the backlog; what follows comes once", () => {
  const { s, seen, told } = stream();
  s.deliver(message(1)); // before any join: nothing to place it after
  s.joined(joined("e1", 2, [message(1), message(2)], false), true);
  assert.deepEqual(s.backlog.map((m) => m.text), ["m1", "m2"]);
  assert.equal(s.recovered, false);
  for (const offset of [2, 3, 3, 4, 1, 4]) s.deliver(message(offset));
  assert.deepEqual(seen, ["m3", "m4"]);
  assert.deepEqual(s.position, { epoch: "e1", offset: 4 });
  assert.deepEqual(told, []);
});

Deno.test("MessageStream: a rejoin in the same epoch resumes after the position", () => {
  const { s, seen, told } = stream();
  s.joined(joined("e1", 2, [], false), true);
  s.deliver(message(3));
  // A server that sends a little more than asked: what was seen is dropped.
  s.joined(
    joined("e1", 5, [message(2), message(3), message(4), message(5)], true),
    false,
  );
  assert.deepEqual(seen, ["m3", "m4", "m5"]);
  assert.deepEqual(told, [[true, "e1"]]);
  assert.equal(s.recovered, true);
  assert.deepEqual(s.position, { epoch: "e1", offset: 5 });
});

Deno.test("MessageStream: a rejoin with a gap says so, and goes on from the latest", () => {
  const { s, seen, told } = stream();
  s.joined(joined("e1", 3, [], false), true);
  s.joined(joined("e1", 90, [message(89), message(90)], false), false);
  assert.deepEqual(seen, ["m89", "m90"]);
  assert.deepEqual(told, [[false, "e1"]]);
  assert.equal(s.recovered, false);
});

Deno.test("MessageStream: a new epoch starts the offsets over, and is never recovered", () => {
  const { s, seen, told } = stream();
  s.joined(joined("e1", 40, [], false), true);
  s.deliver(message(41, "old"));
  // A server that claims recovery across epochs is not believed.
  s.joined(
    joined("e2", 2, [message(1, "new1"), message(2, "new2")], true),
    false,
  );
  s.deliver(message(3, "new3"));
  assert.deepEqual(seen, ["old", "new1", "new2", "new3"]);
  assert.deepEqual(told, [[false, "e2"]]);
  assert.deepEqual(s.position, { epoch: "e2", offset: 3 });
});

Deno.test("MessageStream: its loop gets each message once, and ends", async () => {
  const { s } = stream();
  s.joined(joined("e1", 0, [], false), true);
  for (const offset of [1, 1, 2]) s.deliver(message(offset));
  s.end();
  const read: number[] = [];
  for await (const m of s.read()) read.push(m.offset);
  assert.deepEqual(read, [1, 2]);
});
