import assert from "node:assert/strict";
import { Channel, ChannelClosedError } from "./channel.ts";
import { select } from "./select.ts";

Deno.test("Channel() refuses a capacity that is not a positive integer", () => {
  for (const bad of [0, -1, 1.5, NaN]) {
    assert.throws(() => new Channel(bad), RangeError);
  }
});

Deno.test("Channel.trySend() queues up to capacity, then refuses", () => {
  const ch = new Channel<number>(2);
  assert.equal(ch.trySend(1), true);
  assert.equal(ch.trySend(2), true);
  assert.equal(ch.trySend(3), false);
  assert.equal(ch.size, 2);
  assert.deepEqual(ch.takeAll(), [1, 2]);
});

Deno.test("Channel.receive() returns values in FIFO order", async (t) => {
  await t.step("values queued before receiving", async () => {
    const ch = new Channel<number>(4);
    for (const v of [1, 2, 3]) ch.trySend(v);
    assert.deepEqual(
      [await ch.receive(), await ch.receive(), await ch.receive()],
      [1, 2, 3],
    );
  });
  await t.step("a receiver that waits gets the next value", async () => {
    const ch = new Channel<string>(1);
    const got = ch.receive();
    ch.trySend("a");
    assert.equal(await got, "a");
  });
  await t.step("order holds while the ring grows around a wrap", async () => {
    const ch = new Channel<number>(100);
    const out: number[] = [];
    let next = 0;
    // Keep a few values queued so the ring wraps, then fill it to capacity.
    for (let i = 0; i < 3; i++) ch.trySend(next++);
    for (let i = 0; i < 2; i++) out.push(await ch.receive());
    while (ch.trySend(next)) next++;
    assert.equal(ch.size, 100);
    out.push(...ch.takeAll());
    assert.deepEqual(out, Array.from({ length: next }, (_, i) => i));
  });
  await t.step("order holds across the ring's wrap-around", async () => {
    const ch = new Channel<number>(3);
    const out: number[] = [];
    for (let i = 0; i < 10; i++) {
      await ch.send(i);
      if (i % 2 === 1) out.push(await ch.receive(), await ch.receive());
    }
    assert.deepEqual(out, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

Deno.test("Channel.send() waits for room and keeps senders in order", async () => {
  const ch = new Channel<number>(1);
  await ch.send(1);
  let secondDone = false;
  const second = ch.send(2).then(() => secondDone = true);
  const third = ch.send(3);
  assert.equal(ch.trySend(99), false);
  // A send that wrongly settled at once would have run its callback by now.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(secondDone, false, "send() waits while the channel is full");
  assert.equal(await ch.receive(), 1);
  await second;
  assert.equal(await ch.receive(), 2);
  await third;
  assert.equal(await ch.receive(), 3);
  assert.equal(ch.size, 0);
});

Deno.test("Channel.send() is cancelled by its signal", async (t) => {
  await t.step("aborted while waiting: rejects, value not queued", async () => {
    const ch = new Channel<number>(1);
    ch.trySend(1);
    const controller = new AbortController();
    const pending = ch.send(2, { signal: controller.signal });
    controller.abort(new Error("gave up"));
    await assert.rejects(pending, /gave up/);
    assert.deepEqual(ch.takeAll(), [1]);
    assert.equal(ch.size, 0);
  });
  await t.step("already aborted: rejects at once", async () => {
    const ch = new Channel<number>(1);
    await assert.rejects(
      ch.send(1, { signal: AbortSignal.abort(new Error("no")) }),
      /no/,
    );
    assert.equal(ch.size, 0);
  });
});

Deno.test("Channel.close() keeps queued values and refuses senders", async (t) => {
  await t.step(
    "queued values are still received, then receive throws",
    async () => {
      const ch = new Channel<number>(2);
      ch.trySend(1);
      ch.close();
      assert.equal(ch.closed, true);
      assert.equal(await ch.receive(), 1);
      await assert.rejects(ch.receive(), ChannelClosedError);
    },
  );
  await t.step("pending and later senders get ChannelClosedError", async () => {
    const ch = new Channel<number>(1);
    ch.trySend(1);
    const pending = ch.send(2);
    ch.close();
    await assert.rejects(pending, ChannelClosedError);
    await assert.rejects(ch.send(3), ChannelClosedError);
    assert.equal(ch.trySend(4), false);
    assert.deepEqual(ch.takeAll(), [1]);
  });
  await t.step("a waiting receiver is woken and rejected", async () => {
    const ch = new Channel<number>(1);
    const pending = ch.receive();
    ch.close();
    await assert.rejects(pending, ChannelClosedError);
  });
  await t.step("close is idempotent", () => {
    const ch = new Channel<number>(1);
    ch.close();
    ch.close();
    assert.equal(ch.closed, true);
  });
});

Deno.test("Channel.receive() is cancelled by its signal", async () => {
  const ch = new Channel<number>(1);
  const controller = new AbortController();
  const pending = ch.receive({ signal: controller.signal });
  controller.abort(new Error("stop"));
  await assert.rejects(pending, /stop/);
  // The abandoned receiver does not swallow the next value.
  ch.trySend(7);
  assert.equal(await ch.receive(), 7);
});

Deno.test("Channel.wait() and takeAll() take a whole batch at once", async () => {
  const ch = new Channel<number>(8);
  const ready = ch.wait();
  for (const v of [1, 2, 3]) ch.trySend(v);
  assert.equal(await ready, true);
  assert.deepEqual(ch.takeAll(), [1, 2, 3]);
  assert.deepEqual(ch.takeAll(), []);
  ch.close();
  assert.equal(await ch.wait(), false);
});

Deno.test("Channel.takeAll() lets waiting senders in behind the batch", async () => {
  const ch = new Channel<number>(2);
  ch.trySend(1);
  ch.trySend(2);
  const third = ch.send(3);
  assert.deepEqual(ch.takeAll(), [1, 2]);
  await third;
  assert.deepEqual(ch.takeAll(), [3]);
});

Deno.test("Channel is async-iterable until closed and drained", async () => {
  const ch = new Channel<number>(2);
  const producer = (async () => {
    for (let i = 0; i < 5; i++) await ch.send(i);
    ch.close();
  })();
  const seen: number[] = [];
  for await (const v of ch) seen.push(v);
  await producer;
  assert.deepEqual(seen, [0, 1, 2, 3, 4]);
});

Deno.test("select() picks a ready channel and leaves the others clean", async (t) => {
  await t.step("one already has a value", async () => {
    const a = new Channel<number>(1);
    const b = new Channel<number>(1);
    b.trySend(1);
    assert.equal(await select([a, b]), 1);
  });
  await t.step("waits for the first value", async () => {
    const a = new Channel<number>(1);
    const b = new Channel<number>(1);
    const picked = select([a, b]);
    a.trySend(5);
    assert.equal(await picked, 0);
    // b's abandoned watcher must not matter: b still works normally.
    const got = b.receive();
    b.trySend(6);
    assert.equal(await got, 6);
  });
  await t.step("a closed channel counts as ready", async () => {
    const a = new Channel<number>(1);
    const b = new Channel<number>(1);
    const picked = select([a, b]);
    b.close();
    assert.equal(await picked, 1);
  });
  await t.step("is cancelled by its signal", async () => {
    const a = new Channel<number>(1);
    const controller = new AbortController();
    const picked = select([a], { signal: controller.signal });
    controller.abort(new Error("enough"));
    await assert.rejects(picked, /enough/);
  });
});

Deno.test("Channel.put() queues at once with no promise, or waits as send() does", async () => {
  const channel = new Channel<number>(1);
  assert.equal(channel.put(1), undefined, "room: queued at once");
  const waiting = channel.put(2);
  assert.ok(waiting instanceof Promise, "full: it waits");
  assert.deepEqual(channel.takeAll(), [1]);
  await waiting;
  assert.deepEqual(channel.takeAll(), [2]);
  channel.close();
  await assert.rejects(channel.put(3)!, ChannelClosedError);
});
