import assert from "node:assert/strict";
import { type HistoryRange, RoomStream } from "./room_stream.ts";
import type { Position, StoredMessage } from "./store.ts";

function message(offset: number): StoredMessage {
  return {
    room: "r",
    offset,
    ts: 0,
    text: `m${offset}`,
    from: { client: "c", nick: null },
  };
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => message(from + i));

/** A stream on epoch "e" whose history holds `kept` (offsets). */
function setup(kept: [number, number] = [1, 100], epoch = "e") {
  const fed: number[][] = [];
  const resets: Position[] = [];
  const reads: [number, number][] = [];
  const stream = new RoomStream({ epoch: "e", offset: 0 }, {
    feed: (messages) => fed.push(messages.map((m) => m.offset)),
    events: { reset: (position) => resets.push(position) },
    read: (from, to): Promise<HistoryRange> => {
      reads.push([from, to]);
      const lo = Math.max(from, kept[0]);
      const hi = Math.min(to, kept[1]);
      return Promise.resolve({
        epoch,
        messages: lo <= hi ? range(lo, hi) : [],
      });
    },
  });
  return { stream, fed, resets, reads };
}

Deno.test("RoomStream.receive() feeds in offset order, each offset once", async (t) => {
  await t.step("contiguous batches go out at once", () => {
    const { stream, fed, reads } = setup();
    stream.receive("e", range(1, 2));
    stream.receive("e", range(3, 3));
    assert.deepEqual(fed, [[1, 2], [3]]);
    assert.deepEqual(reads, []);
  });
  await t.step("repeats are dropped", () => {
    const { stream, fed } = setup();
    stream.receive("e", range(1, 2));
    stream.receive("e", range(1, 3));
    assert.deepEqual(fed, [[1, 2], [3]]);
  });
  await t.step("a gap is filled from the history first", async () => {
    const { stream, fed, reads } = setup();
    stream.receive("e", range(1, 1));
    stream.receive("e", range(4, 5));
    assert.deepEqual(fed, [[1]], "nothing newer before the gap is filled");
    await stream.until(5);
    assert.deepEqual(reads, [[2, 3]]);
    assert.deepEqual(fed, [[1], [2, 3, 4, 5]]);
  });
  await t.step("a gap that closes by itself is not fed twice", async () => {
    const { stream, fed } = setup();
    stream.receive("e", range(3, 3));
    stream.receive("e", range(1, 2));
    await stream.until(3);
    assert.deepEqual(fed.flat(), [1, 2, 3]);
  });
});

Deno.test("RoomStream.sync() fills what a missed publish left out", async () => {
  const { stream, fed, reads } = setup();
  stream.sync("e", 4);
  await stream.until(4);
  assert.deepEqual(reads, [[1, 4]]);
  assert.deepEqual(fed, [[1, 2, 3, 4]]);
});

Deno.test("RoomStream reports a reset for lost messages and new epochs", async (t) => {
  await t.step("messages dropped from the history", async () => {
    const { stream, fed, resets } = setup([3, 100]);
    stream.receive("e", range(5, 5));
    await stream.until(5);
    assert.deepEqual(resets, [{ epoch: "e", offset: 2 }]);
    assert.deepEqual(fed, [[3, 4, 5]]);
  });
  await t.step("a new epoch starts over", () => {
    const { stream, fed, resets } = setup();
    stream.receive("e", range(1, 2));
    stream.receive("f", range(1, 1));
    assert.deepEqual(resets, [{ epoch: "f", offset: 0 }]);
    assert.deepEqual(fed, [[1, 2], [1]]);
    assert.deepEqual(stream.position, { epoch: "f", offset: 1 });
  });
});

Deno.test("RoomStream.until() rejects when the history cannot be read", async () => {
  const stream = new RoomStream({ epoch: "e", offset: 0 }, {
    feed: () => {},
    read: () => Promise.reject(new Error("Redis is down")),
  });
  stream.receive("e", range(2, 2));
  await assert.rejects(stream.until(2), /Redis is down/);
});
