import assert from "node:assert/strict";
import type { FuzzFrame, SentCommand } from "./frames.ts";
import { allowedAnswers, checkConnection } from "./model.ts";
import type { ConnectionRecord } from "./record.ts";

const command = (
  type: SentCommand["type"],
  id: number,
  room = "lobby",
): FuzzFrame => ({
  text: JSON.stringify({ type, room, id }),
  expect: { kind: "command", command: { type, id, room } },
});

function record(
  sent: FuzzFrame[],
  events: Record<string, unknown>[],
): ConnectionRecord {
  return {
    label: "t",
    mode: "v1",
    sent,
    events,
    texts: [],
    reads: true,
    ending: { by: "us" },
  };
}

const joined = (id: number) => ({
  type: "joined",
  id,
  room: "lobby",
  epoch: "e",
  offset: 0,
  history: [],
  presence: [],
  count: 1,
});

Deno.test("allowedAnswers() allows only not_joined for a room never joined", () => {
  assert.deepEqual(
    [...allowedAnswers({ type: "send", id: 1, room: "a" }, "out")],
    ["error:not_joined"],
  );
});

Deno.test("allowedAnswers() allows unavailable only with Redis", () => {
  const send: SentCommand = { type: "send", id: 1, room: "a" };
  assert.ok(!allowedAnswers(send, "in").has("error:unavailable"));
  assert.ok(
    allowedAnswers(send, "in", { redis: true }).has("error:unavailable"),
  );
});

Deno.test("checkConnection() accepts a connection that got every answer", () => {
  const problems = checkConnection(record(
    [command("join", 1), command("leave", 2), command("leave", 3)],
    [joined(1), { type: "left", id: 2, room: "lobby" }, {
      type: "error",
      id: 3,
      code: "not_joined",
      message: "Not in room",
    }],
  ));
  assert.deepEqual(problems, []);
});

Deno.test("checkConnection() reports a command left unanswered", () => {
  const problems = checkConnection(record(
    [command("join", 1), command("leave", 2)],
    [{ type: "left", id: 2, room: "lobby" }],
  ));
  assert.equal(problems.length, 1);
  assert.match(problems[0], /no answer to .*"join"/);
});

Deno.test("checkConnection() reports an answer the model does not allow", () => {
  const problems = checkConnection(record(
    [command("history", 1)],
    [{ type: "history", id: 1, room: "lobby", messages: [] }],
  ));
  assert.match(problems.join("\n"), /room out.*allowed: error:not_joined/);
});

Deno.test("checkConnection() fails a close with 1011 and lets 1008 leave answers owed", async (t) => {
  await t.step("1011", () => {
    const closed = record([], []);
    closed.ending = { by: "server", code: 1011, reason: "oops" };
    assert.match(checkConnection(closed).join("\n"), /1011/);
  });
  await t.step("1008", () => {
    const closed = record([command("join", 1)], []);
    closed.ending = { by: "server", code: 1008, reason: "send queue full" };
    assert.deepEqual(checkConnection(closed), []);
  });
});

Deno.test("checkConnection() lets a peer that kept sending past its close lose the close frame, and no other", async (t) => {
  const binary: FuzzFrame = {
    binary: new Uint8Array(3),
    expect: { kind: "close", code: 1003 },
  };
  await t.step("binary, then more: EOF passes", () => {
    const kept = record([binary, command("join", 2)], []);
    kept.ending = { by: "eof", detail: "EOF" };
    assert.deepEqual(checkConnection(kept), []);
  });
  await t.step("binary last: EOF is a missing close", () => {
    const last = record([command("join", 2), binary], [joined(2)]);
    last.ending = { by: "eof", detail: "EOF" };
    assert.equal(checkConnection(last).length, 2);
  });
  await t.step("nothing owed a close: EOF is a problem", () => {
    const plain = record([command("join", 2)], [joined(2)]);
    plain.ending = { by: "eof", detail: "EOF" };
    assert.equal(checkConnection(plain).length, 1);
  });
});

Deno.test("checkConnection() lets a connection that stormed past its budgets end in EOF", () => {
  const stormed = record([{ ...command("history", 1), storm: true }], []);
  stormed.ending = { by: "eof", detail: "EOF" };
  assert.deepEqual(checkConnection(stormed), []);
});

Deno.test("checkConnection() holds a repeated key to its first ack's offset, unposted", async (t) => {
  const key = "k".repeat(16);
  const send = (id: number, room = "lobby"): FuzzFrame => ({
    text: JSON.stringify({ type: "send", room, id, key, text: `t${id} .` }),
    expect: {
      kind: "command",
      command: { type: "send", id, room, key, token: `t${id}` },
    },
  });
  const ack = (id: number, offset: number) => ({
    type: "ack",
    id,
    room: "lobby",
    offset,
  });
  const message = (id: number, offset: number) => ({
    type: "message",
    room: "lobby",
    offset,
    text: `t${id} .`,
  });
  await t.step("the first offset, its text not posted: right", () => {
    const sent = [command("join", 1), send(2), send(3)];
    const got = [joined(1), message(2, 1), ack(2, 1), ack(3, 1)];
    assert.deepEqual(checkConnection(record(sent, got)), []);
  });
  await t.step("another offset, no leave between: wrong", () => {
    const sent = [command("join", 1), send(2), send(3)];
    const got = [joined(1), message(2, 1), ack(2, 1), message(3, 2), ack(3, 2)];
    assert.match(checkConnection(record(sent, got)).join("\n"), /not 1/);
  });
  await t.step("the first offset, but its text posted: wrong", () => {
    const sent = [command("join", 1), send(2), send(3)];
    const got = [joined(1), message(2, 1), ack(2, 1), message(3, 2), ack(3, 1)];
    assert.match(checkConnection(record(sent, got)).join("\n"), /was posted/);
  });
  await t.step("another offset after a leave, or far later: allowed", () => {
    const left = { type: "left", id: 3, room: "lobby" };
    const sent = [
      command("join", 1),
      send(2),
      command("leave", 3),
      command("join", 4),
      send(5),
      send(6),
    ];
    const got = [joined(1), ack(2, 1), left, joined(4), ack(5, 7), ack(6, 500)];
    assert.deepEqual(checkConnection(record(sent, got)), []);
  });
  await t.step("the same key in another room: another message", () => {
    const sent = [command("join", 1), command("join", 2, "a"), send(3)];
    sent.push(send(4, "a"));
    const got = [joined(1), { ...joined(2), room: "a" }, ack(3, 1)];
    got.push({ ...ack(4, 1), room: "a" });
    assert.deepEqual(checkConnection(record(sent, got)), []);
  });
});
