import assert from "node:assert/strict";
import {
  ackEvent,
  errorEvent,
  frameOf,
  joinedEvent,
  messageEvent,
  presenceEvent,
} from "../protocol/events.ts";
import type { StoredMessage } from "../store/store.ts";
import {
  delivered,
  joinReply,
  prepare,
  receiveStructured,
  roomName,
} from "./load_worker.ts";
import { now } from "./open.ts";

/** A message event as natter serialises it, with `text` as its text. */
function message(offset: number, text: string, nick = "b1"): string {
  const stored: StoredMessage = {
    room: "lobby",
    offset,
    ts: Date.now(),
    text,
    from: { client: "ab12-1", nick },
  };
  return messageEvent(stored);
}

Deno.test("receiveStructured() counts this run's message events and nothing else", () => {
  const start = now();
  prepare("run1", start, 10);
  const sentAt = Math.round((now() - start) * 1000);
  const member = { client: "ab12-2", nick: "b2" };
  const before = delivered();
  // A frame as a busy turn brings it: presence, three messages, an ack.
  receiveStructured(
    3,
    frameOf([
      presenceEvent("lobby", [member], [], 1),
      message(1, `run1 0 0 ${sentAt}|xxxx`),
      message(2, `run1 1 0 ${sentAt}|xxxx`),
      message(3, `run1 0 1 ${sentAt}|xxxx`),
      ackEvent(7, "lobby", 3),
    ]),
  );
  assert.equal(delivered() - before, 3);

  // A joined reply replays an earlier run's messages: not this run's.
  const old = {
    room: "lobby",
    offset: 1,
    ts: 1,
    text: `run0 0 0 ${sentAt}|xxxx`,
    from: member,
  };
  receiveStructured(
    4,
    frameOf([joinedEvent({
      id: undefined,
      room: "lobby",
      nick: "b4",
      client: "ab12-4",
      epoch: "e1",
      offset: 1,
      recovered: false,
      history: [old],
      presence: [member],
      count: 1,
    })]),
  );
  assert.equal(delivered() - before, 3);

  // Texts that only look like this run's once unescaped, and a nick that
  // holds the marker, are not messages of this run.
  receiveStructured(
    5,
    frameOf([
      message(4, `"text":"run1 0 2 ${sentAt}|`),
      message(5, `other ${sentAt}`, `"text":"run1 0 3 1|`),
      errorEvent(undefined, "bad_request", `"text":"run1 0 4 1|`),
    ]),
  );
  assert.equal(delivered() - before, 3);
});

Deno.test("joinReply() tells joined, a refused join and other events apart", () => {
  const joined = frameOf([joinedEvent({
    id: undefined,
    room: "bench-3",
    nick: "b3",
    client: "ab12-3",
    epoch: "e1",
    offset: 0,
    recovered: false,
    history: [],
    presence: [],
    count: 0,
  })]);
  assert.equal(joinReply(joined), true);
  assert.equal(
    joinReply(frameOf([errorEvent(undefined, "room_full", "full")])),
    "room_full",
  );
  assert.equal(joinReply(frameOf([presenceEvent("lobby", [], [], 0)])), false);
});

Deno.test("roomName() is the default room alone, numbered rooms otherwise", () => {
  assert.equal(roomName(0, 1), "lobby");
  assert.equal(roomName(7, 1000), "bench-7");
});
