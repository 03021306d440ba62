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

Deno.test("DrainWatch polls many waiting sockets less often, so polling cannot take the core", async () => {
  const watch = new DrainWatch();
  let reads = 0;
  // A thousand sockets whose peers stopped reading: every poll reads each.
  const sockets = Array.from({ length: 1000 }, () => {
    return {
      readyState: WebSocket.OPEN,
      get bufferedAmount() {
        reads++;
        return 100;
      },
    };
  });
  let stop = false;
  const waits = sockets.map((socket) =>
    watch.wait(asSocket(socket), {
      mark: 10,
      writeWait: 60_000,
      stop: () => stop,
    })
  );
  const from = reads;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const polled = reads - from;
  stop = true;
  await Promise.all(waits);
  // At most a tick per 10 ms for a thousand sockets: 30 ticks in 300 ms,
  // each reading every socket (ticks every millisecond would read ~300,000).
  assert.ok(
    polled <= 40 * 1000,
    `${polled} reads of bufferedAmount in 300 ms for 1000 waiting sockets`,
  );
  assert.ok(polled >= 1000, `the sockets were polled at all (${polled})`);
});
