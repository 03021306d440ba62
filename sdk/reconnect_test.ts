/**
 * The client library across broken connections: a TCP relay between it and
 * natter is cut in the middle of traffic, made deaf so that answers are
 * lost, pointed at a restarted server, or at another node on the same
 * Redis. Nothing is lost, nothing comes twice, and a gap is told plainly.
 */

import assert from "node:assert/strict";
import { deadline, DEADLINE_MS, startServer } from "../test_util/natter.ts";
import { startNode, untilReadyz, wsUrl } from "../test_util/node.ts";
import { RedisServer, redisTest } from "../test_util/redis.ts";
import { Relay } from "../test_util/relay.ts";
import { pause } from "../util/turns.ts";
import { connect, type Message, type Recovery, type Room } from "./mod.ts";

/** Reconnects soon: the tests cut often. */
const FAST = { backoff: { initial: 20, max: 200 } };

/** Gathers what a room's loop yields, from now on. */
function gather(room: Room) {
  const messages: Message[] = [];
  let wake = () => {};
  const loop = (async () => {
    for await (const message of room) {
      messages.push(message);
      wake();
    }
  })();
  return {
    messages,
    loop,
    /** Waits until `count` messages have come. */
    async until(count: number): Promise<Message[]> {
      await deadline(
        new Promise<void>((resolve) => {
          wake = () => messages.length >= count && resolve();
          wake();
        }),
        `${count} messages in "${room.name}" (have ${messages.length})`,
      );
      return messages;
    },
  };
}

/** Every `recovery` event of `room`, as they come. */
function recoveries(room: Room): Recovery[] {
  const seen: Recovery[] = [];
  room.addEventListener("recovery", (event) => seen.push(event.detail));
  return seen;
}

/** Waits until `rejoins` (see {@linkcode recoveries}) has `n` entries. */
async function reconnected(rejoins: Recovery[], n = 1): Promise<void> {
  const start = Date.now();
  while (rejoins.length < n) {
    if (Date.now() - start > DEADLINE_MS) {
      throw new Error(`Timed out waiting for rejoin ${n}`);
    }
    await pause(5);
  }
}

/** Sends `count` messages `prefix0`.. one every few milliseconds. */
async function chatter(
  room: Room,
  prefix: string,
  count: number,
  onEach: (i: number) => unknown = () => {},
): Promise<number[]> {
  const sends: Promise<number>[] = [];
  for (let i = 0; i < count; i++) {
    sends.push(room.send(`${prefix}${i}`));
    await onEach(i);
    await pause(2);
  }
  return await deadline(Promise.all(sends), `${prefix}'s ${count} acks`);
}

/** Checks `seen` is offsets 1..N, each text once, acks matching. */
function assertOnceInOrder(
  seen: readonly Message[],
  acks: Map<string, number>,
): void {
  assert.deepEqual(
    seen.map((m) => m.offset),
    Array.from({ length: acks.size }, (_, i) => i + 1),
    "offsets 1..N, no gap, no repeat",
  );
  assert.equal(new Set(seen.map((m) => m.text)).size, seen.length);
  for (const m of seen) {
    assert.equal(acks.get(m.text), m.offset, `${m.text} is where its ack says`);
  }
}

Deno.test("a connection cut in the middle of traffic: nothing lost, nothing twice, both ways", async () => {
  await using server = startServer();
  await using relay = Relay.start(server.addr.port);
  await using a = await connect(relay.wsUrl, FAST);
  await using b = await connect(server.wsUrl);
  const ra = await a.join("den", { nick: "ada" });
  const rb = await b.join("den", { nick: "bo" });
  const rejoins = recoveries(ra);
  const seenA = gather(ra);
  const seenB = gather(rb);
  const count = 60;
  // Each time, a's last few sends reach the server but their acks (and b's
  // messages meanwhile) are lost, and then the connection breaks.
  const deafAt = new Set([10, 25, 40]);
  const cutAt = new Set([13, 28, 43]);
  const [fromA, fromB] = await Promise.all([
    chatter(ra, "a", count, async (i) => {
      if (deafAt.has(i)) relay.deafen();
      if (!cutAt.has(i)) return;
      const before = rejoins.length;
      relay.cut();
      await reconnected(rejoins, before + 1);
    }),
    chatter(rb, "b", count),
  ]);
  const acks = new Map<string, number>();
  fromA.forEach((offset, i) => acks.set(`a${i}`, offset));
  fromB.forEach((offset, i) => acks.set(`b${i}`, offset));
  assertOnceInOrder(await seenA.until(2 * count), acks);
  assertOnceInOrder(await seenB.until(2 * count), acks);
  assert.equal(rejoins.length, 3, "a was cut off and came back each time");
  assert.ok(rejoins.every((r) => r.recovered), "every rejoin recovered");
  assert.equal(ra.recovered, true);
});

Deno.test("sends whose answers were lost are sent again with their keys and posted once (C7)", async () => {
  await using server = startServer();
  await using relay = Relay.start(server.addr.port);
  await using a = await connect(relay.wsUrl, FAST);
  await using b = await connect(server.wsUrl);
  const ra = await a.join("den", { nick: "ada" });
  const rb = await b.join("den", { nick: "bo" });
  const rejoins = recoveries(ra);
  const seenA = gather(ra);
  const seenB = gather(rb);
  relay.deafen();
  const sends = ["x0", "x1", "x2"].map((text) => ra.send(text));
  // The server has them: b sees them, while a has heard nothing back.
  await seenB.until(3);
  relay.cut();
  await reconnected(rejoins);
  assert.deepEqual(await deadline(Promise.all(sends), "the acks"), [1, 2, 3]);
  await rb.send("after");
  await seenA.until(4);
  await pause(50); // for any message posted twice to arrive as well
  assert.deepEqual(seenB.messages.map((m) => m.text), [
    "x0",
    "x1",
    "x2",
    "after",
  ]);
  assert.deepEqual(seenA.messages.map((m) => [m.offset, m.text]), [
    [1, "x0"],
    [2, "x1"],
    [3, "x2"],
    [4, "after"],
  ]);
});

Deno.test("a server restarted with the memory store: the room is told it was not recovered", async () => {
  await using first = startServer();
  await using relay = Relay.start(first.addr.port);
  await using client = await connect(relay.wsUrl, FAST);
  const room = await client.join("den", { nick: "ada" });
  const rejoins = recoveries(room);
  const seen = gather(room);
  await room.send("before");
  await seen.until(1);
  const epoch = room.position?.epoch;

  await using second = startServer();
  relay.target = second.addr.port;
  await first.shutdown();
  await reconnected(rejoins);
  assert.deepEqual(rejoins, [{
    recovered: false,
    epoch: room.position?.epoch,
  }]);
  assert.notEqual(room.position?.epoch, epoch, "a new history stream");
  assert.equal(room.recovered, false);
  // The new stream starts again at 1, and its messages are not taken for
  // old ones.
  assert.equal(await room.send("after"), 1);
  assert.deepEqual(
    (await seen.until(2)).map((m) => [m.offset, m.text]),
    [[1, "before"], [1, "after"]],
  );
});

Deno.test({
  name:
    "a connection moved from one node to another on Redis: recovered, nothing lost or twice",
  ...redisTest,
}, async () => {
  await using redis = await RedisServer.start();
  await using one = await startNode(redis.url);
  await using two = await startNode(redis.url);
  for (const node of [one, two]) await untilReadyz(node, 200);
  await using relay = Relay.start(Number(one.url.port));
  await using a = await connect(relay.wsUrl, FAST);
  await using b = await connect(wsUrl(two));
  const ra = await a.join("den", { nick: "ada" });
  const rb = await b.join("den", { nick: "bo" });
  const rejoins = recoveries(ra);
  const seenA = gather(ra);
  const seenB = gather(rb);
  const count = 40;
  const [fromA, fromB] = await Promise.all([
    chatter(ra, "a", count, (i) => {
      if (i === 15) relay.deafen();
      if (i !== 18) return;
      relay.target = Number(two.url.port);
      relay.cut();
    }),
    chatter(rb, "b", count),
  ]);
  const acks = new Map<string, number>();
  fromA.forEach((offset, i) => acks.set(`a${i}`, offset));
  fromB.forEach((offset, i) => acks.set(`b${i}`, offset));
  assertOnceInOrder(await seenA.until(2 * count), acks);
  assertOnceInOrder(await seenB.until(2 * count), acks);
  assert.equal(relay.open, 1, "a is on node two now");
  assert.deepEqual(rejoins.map((r) => r.recovered), [true]);
});
