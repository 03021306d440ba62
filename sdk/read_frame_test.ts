import assert from "node:assert/strict";
import { readFrame } from "./read_frame.ts";

const from = { client: "c-1", nick: "ada" };
const message = {
  type: "message",
  room: "den",
  offset: 1,
  from,
  text: "hi",
  ts: 5,
};

Deno.test("readFrame() reads each kind of event", () => {
  const events = readFrame(JSON.stringify([
    message,
    { type: "ack", id: 1, room: "den", offset: 1 },
    { type: "left", id: "x", room: "den" },
    { type: "history", id: 2, room: "den", messages: [message] },
    {
      type: "members",
      id: 3,
      room: "den",
      members: [from],
      count: 1,
      next: null,
    },
    { type: "presence", room: "den", joined: [from], left: [], count: 1 },
    { type: "error", code: "too_big", message: "long" },
    {
      type: "joined",
      id: 4,
      room: "den",
      nick: "ada",
      client: "c-1",
      epoch: "e",
      offset: 1,
      recovered: true,
      history: [message],
      presence: [{ ...from, user: "u-1" }],
      count: 1,
      extra: "ignored",
    },
  ]));
  assert.deepEqual(events.map((e) => e.type), [
    "message",
    "ack",
    "left",
    "history",
    "members",
    "presence",
    "error",
    "joined",
  ]);
  const joined = events[7];
  assert.ok(joined.type === "joined");
  assert.deepEqual(joined.presence, [{ ...from, user: "u-1" }]);
  assert.equal("extra" in joined, false, "only the fields it knows");
  assert.deepEqual(events[0], message);
});

Deno.test("readFrame() yields nothing for a frame that is not a JSON array, or too long", () => {
  for (
    const frame of [
      "",
      "nope",
      "{}",
      "null",
      "42",
      '"[]"',
      "[",
      undefined,
      new ArrayBuffer(4),
    ]
  ) {
    assert.deepEqual(readFrame(frame), [], String(frame));
  }
  assert.deepEqual(readFrame(JSON.stringify([message]), 10), []);
});

Deno.test("readFrame() leaves out each event with a missing or ill-typed field", () => {
  const bad = [
    null,
    1,
    "message",
    [],
    { type: "message" },
    { ...message, offset: 0 },
    { ...message, offset: 1.5 },
    { ...message, text: 7 },
    { ...message, from: { nick: "no client" } },
    { ...message, from: { client: "c", nick: 5 } },
    { ...message, room: undefined },
    { type: "ack", id: 1, room: "den" },
    { type: "ack", id: {}, room: "den", offset: 1 },
    { type: "members", id: 3, room: "den", members: [], count: 1, next: 5 },
    { type: "presence", room: "den", joined: [], left: {}, count: 1 },
    {
      type: "joined",
      id: 4,
      room: "den",
      epoch: 5,
      offset: 1,
      recovered: true,
      history: [],
      presence: [],
    },
    { type: "error", id: 1, message: "no code" },
    { type: "mystery", room: "den" },
  ];
  assert.deepEqual(readFrame(JSON.stringify([...bad, message])), [message]);
});

Deno.test("readFrame() keeps the well-formed items of a list and drops the rest", () => {
  const [history] = readFrame(JSON.stringify([{
    type: "history",
    id: 2,
    room: "den",
    messages: [message, { ...message, offset: "2" }, { ...message, offset: 3 }],
  }]));
  assert.ok(history.type === "history");
  assert.deepEqual(history.messages.map((m) => m.offset), [1, 3]);
});
