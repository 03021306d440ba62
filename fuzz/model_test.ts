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
