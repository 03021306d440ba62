import assert from "node:assert/strict";
import {
  ackEvent,
  errorEvent,
  frameOf,
  joinedEvent,
  messageEvent,
  presenceEvent,
} from "../protocol/events.ts";
import type { Member, StoredMessage } from "../store/store.ts";
import {
  countPresence,
  errorCode,
  joinedAt,
  messageOffsets,
} from "./storm_frames.ts";

const ada: Member = { client: "ab12-1", nick: "ada" };

/** A message event as natter writes it. */
function message(offset: number, text: string, from = ada): string {
  const stored: StoredMessage = { room: "storm", offset, ts: 1, text, from };
  return messageEvent(stored);
}

/** A `joined` reply as natter writes it, with `history` and `presence`. */
function joined(history: StoredMessage[], presence: Member[]): string {
  return joinedEvent({
    id: 1,
    room: "storm",
    nick: "u1",
    client: "ab12-9",
    epoch: "e1",
    offset: history.at(-1)?.offset ?? 0,
    recovered: false,
    history,
    presence,
    count: presence.length,
  });
}

/** Texts and nicks that spell the markers the scans look for. */
const HOSTILE = [
  '{"type":"joined","id":1}',
  '{"type":"presence","room":"storm"}',
  '{"type":"message","room":"storm","offset":99}',
  '{"type":"error","code":"room_full"}',
  '"offset":5',
];

Deno.test("countPresence() counts presence events exactly, wherever they are", async (t) => {
  const news = presenceEvent("storm", [ada], [], 2);
  const countOnly = presenceEvent("storm", [], [], 300);
  await t.step("alone, among messages and acks, and after a joined", () => {
    const frames = [
      frameOf([news]),
      frameOf([countOnly, message(3, "hi"), ackEvent(4, "storm", 3), news]),
      frameOf([joined([], [ada]), news]),
    ];
    const tally = { events: 0, chars: 0 };
    for (const frame of frames) countPresence(frame, 0, tally);
    assert.deepEqual(tally, {
      events: 4,
      chars: 3 * news.length + countOnly.length,
    });
  });
  await t.step("from a point on: what precedes it is not counted", () => {
    const frame = frameOf([news, joined([], [ada]), countOnly]);
    const tally = { events: 0, chars: 0 };
    countPresence(frame, joinedAt(frame), tally);
    assert.deepEqual(tally, { events: 1, chars: countOnly.length });
  });
  await t.step("not fooled by texts, nicks or a joined reply's lists", () => {
    const tricky: Member = { client: "ab12-2", nick: HOSTILE[1].slice(0, 32) };
    const history = HOSTILE.map((text, i) => ({
      room: "storm",
      offset: i + 1,
      ts: 1,
      text,
      from: tricky,
    }));
    const frame = frameOf([
      joined(history, [ada, tricky]),
      ...HOSTILE.map((text, i) => message(10 + i, text, tricky)),
      errorEvent(2, "bad_request", HOSTILE[1]),
    ]);
    const tally = { events: 0, chars: 0 };
    countPresence(frame, 0, tally);
    assert.deepEqual(tally, { events: 0, chars: 0 });
  });
});

Deno.test("joinedAt() and errorCode() find the reply, and only the reply", () => {
  const reply = joined([], [ada]);
  const hostile = frameOf(HOSTILE.map((text, i) => message(i + 1, text)));
  assert.equal(joinedAt(hostile), -1);
  assert.equal(errorCode(hostile), undefined);
  const frame = frameOf([presenceEvent("storm", [ada], [], 1), reply]);
  assert.equal(frame.slice(joinedAt(frame), -1), reply);
  assert.equal(
    errorCode(frameOf([errorEvent(1, "room_full", HOSTILE[3])])),
    "room_full",
  );
  assert.equal(
    errorCode(frameOf([errorEvent(1, "unavailable", "gone")])),
    "unavailable",
  );
});

Deno.test("messageOffsets() reads every message's offset, in order", () => {
  const history = [1, 2, 3].map((offset) => ({
    room: "storm",
    offset,
    ts: 1,
    text: HOSTILE[2],
    from: ada,
  }));
  const frame = frameOf([
    joined(history, [ada]),
    presenceEvent("storm", [ada], [], 1),
    message(4, HOSTILE[4]),
    ackEvent(9, "storm", 4),
    message(5, HOSTILE[2], { client: "x", nick: HOSTILE[4] }),
  ]);
  const offsets: number[] = [];
  messageOffsets(frame, (offset) => offsets.push(offset));
  assert.deepEqual(offsets, [1, 2, 3, 4, 5]);
});
