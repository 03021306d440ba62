import assert from "node:assert/strict";
import { DrainWatch } from "./drain_watch.ts";

/** Just what the watch reads of a WebSocket. */
function fakeSocket(bufferedAmount: number) {
  return { bufferedAmount, readyState: WebSocket.OPEN } as {
    bufferedAmount: number;
    readyState: number;
  };
}
const asSocket = (fake: object) => fake as WebSocket;

Deno.test("DrainWatch.wait() resolves true once a socket drains", async () => {
  const watch = new DrainWatch();
  const socket = fakeSocket(100);
  assert.equal(
    await watch.wait(asSocket(fakeSocket(5)), { mark: 10, writeWait: 1000 }),
    true,
  );
  const waiting = watch.wait(asSocket(socket), { mark: 10, writeWait: 1000 });
  assert.equal(watch.size, 1);
  setTimeout(() => socket.bufferedAmount = 10, 5);
  assert.equal(await waiting, true);
  assert.equal(watch.size, 0);
});

Deno.test("DrainWatch.wait() gives up after the write wait without progress", async () => {
  const watch = new DrainWatch();
  const stuck = fakeSocket(100);
  const closed = fakeSocket(100);
  const stopped = fakeSocket(100);
  const results = Promise.all([
    watch.wait(asSocket(stuck), { mark: 10, writeWait: 30 }),
    watch.wait(asSocket(closed), { mark: 10, writeWait: 10_000 }),
    watch.wait(asSocket(stopped), {
      mark: 10,
      writeWait: 10_000,
      stop: () => true,
    }),
  ]);
  closed.readyState = WebSocket.CLOSED;
  assert.deepEqual(await results, [false, false, false]);
});
