import assert from "node:assert/strict";
import { Writer, type WriterOwner } from "./writer.ts";
import { Outbox } from "./outbox.ts";
import { LINES } from "../protocol/lines.ts";
import { Batch } from "../room/batch.ts";
import { stored } from "../test_util/messages.ts";
import { deadline } from "../test_util/natter.ts";

/** Enough of a server-side WebSocket for a writer: what it was handed. */
class FakeSocket {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  sent: string[] = [];
  send(text: string): void {
    this.sent.push(text);
  }
}

/** An owner that records what its writer told it. */
function owner(): WriterOwner & { told: string[] } {
  const told: string[] = [];
  return {
    told,
    closing: false,
    finished: () => told.push("finished"),
    stalled: () => told.push("stalled"),
    crash: (error) => told.push(`crash: ${error}`),
  };
}

function writerOf(socket: FakeSocket, outbox: Outbox, told: WriterOwner) {
  const options = { highWaterMark: 100, writeWait: 50 };
  return new Writer(socket as unknown as WebSocket, outbox, told, options);
}

Deno.test("Writer sends everything queued as one frame, once per wake (O1)", async () => {
  const socket = new FakeSocket();
  const outbox = new Outbox(16, LINES);
  const writer = writerOf(socket, outbox, owner());
  outbox.offer(new Batch(stored(["a", "b"])));
  writer.schedule();
  outbox.offer(new Batch(stored(["c"])));
  writer.schedule();
  await Promise.resolve();
  assert.deepEqual(socket.sent, ["a\nb\nc"]);
});

Deno.test("Writer pauses above the high-water mark and resumes once drained (O3)", async () => {
  const socket = new FakeSocket();
  const outbox = new Outbox(16, LINES);
  const writer = writerOf(socket, outbox, owner());
  socket.bufferedAmount = 1000;
  outbox.offer(new Batch(stored(["held"])));
  writer.schedule();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(socket.sent, [], "nothing more for a socket that is full");
  socket.bufferedAmount = 0;
  await deadline(
    (async () => {
      while (socket.sent.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })(),
    "the held frame once the socket drained",
  );
  assert.deepEqual(socket.sent, ["held"]);
});

Deno.test("Writer tells its owner of a socket that never drains, and of the end", async (t) => {
  await t.step("stalled after the write wait", async () => {
    const socket = new FakeSocket();
    const outbox = new Outbox(16, LINES);
    const told = owner();
    const writer = writerOf(socket, outbox, told);
    socket.bufferedAmount = 1000;
    outbox.offer(new Batch(stored(["stuck"])));
    writer.schedule();
    await deadline(
      (async () => {
        while (told.told.length === 0) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })(),
      "the writer to give up",
    );
    assert.deepEqual(told.told, ["stalled"]);
  });
  await t.step("finished once the closed outbox is empty", async () => {
    const socket = new FakeSocket();
    const outbox = new Outbox(16, LINES);
    const told = owner();
    const writer = writerOf(socket, outbox, told);
    outbox.offer(new Batch(stored(["last"])));
    outbox.close();
    writer.schedule();
    await Promise.resolve();
    assert.deepEqual(socket.sent, ["last"]);
    assert.deepEqual(told.told, ["finished"]);
  });
});
