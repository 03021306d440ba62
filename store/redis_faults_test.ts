/**
 * natter nodes when their Redis fails: stopped under traffic, back with its
 * data, back empty, and not there yet when a node starts.
 */

import assert from "node:assert/strict";
import { ChatClient } from "../test_util/natter.ts";
import {
  type Node,
  readyz,
  startNode,
  untilReadyz,
  wsUrl,
} from "../test_util/node.ts";
import { RedisServer, redisTest } from "../test_util/redis.ts";
import { type Event, V1Client } from "../test_util/v1.ts";

const ROOM = "den";
const isMessage = (e: Event) => e.type === "message" && e.room === ROOM;

Deno.test({
  name: "Redis stopped, back with its data, back empty: unavailable, then " +
    "ready, recovery, then a new epoch",
  ...redisTest,
}, async (t) => {
  await using redis = await RedisServer.start({ durable: true });
  const nodes: Node[] = await Promise.all([
    startNode(redis.url),
    startNode(redis.url),
  ]);
  try {
    for (const node of nodes) await untilReadyz(node, 200);
    await using ada = await V1Client.open(wsUrl(nodes[0]));
    await using bob = await V1Client.open(wsUrl(nodes[1]));
    const joined = await ada.join(ROOM, { nick: "ada" });
    await bob.join(ROOM, { nick: "bob" });
    await using plain = await ChatClient.open(wsUrl(nodes[0], ROOM));
    await ada.request({ type: "send", room: ROOM, text: "one" });
    await bob.waitForAll(isMessage, 1, "message 1");

    await t.step("stopped: 503 within 3 s, unavailable and 1013", async () => {
      // Under traffic: bob keeps sending while Redis goes.
      for (let i = 0; i < 20; i++) {
        bob.send({ type: "send", room: ROOM, text: `burst ${i}` });
      }
      const stopped = Date.now();
      await redis.stop();
      for (const node of nodes) await untilReadyz(node, 503, 5000);
      const took = Date.now() - stopped;
      assert.ok(took <= 3000, `/readyz turned 503 after ${took} ms`);
      const answer = await ada.request({ type: "send", room: ROOM, text: "x" });
      assert.equal(answer.type, "error");
      assert.equal(answer.code, "unavailable");
      plain.send("lost");
      const close = await plain.closed;
      assert.equal(close.code, 1013);
      assert.match(close.reason, /unavailable/);
      await using late = await V1Client.open(wsUrl(nodes[1]));
      const refused = await late.request({ type: "join", room: "other" });
      assert.equal(refused.code, "unavailable");
    });

    await t.step(
      "back with its data: ready, chat resumes, recovery",
      async () => {
        const back = Date.now();
        await redis.restart();
        for (const node of nodes) await untilReadyz(node, 200, 15_000);
        assert.ok(Date.now() - back <= 15_000);
        // Every message acknowledged before the outage is still there, and
        // the offsets go on from the last one Redis took.
        const acked = bob.events.filter((e) => e.type === "ack").length;
        const ack = await ada.request({
          type: "send",
          room: ROOM,
          text: "two",
        });
        assert.equal(ack.type, "ack");
        assert.ok(ack.offset >= 2 + acked, `offset ${ack.offset}`);
        await bob.waitFor(
          (e) => isMessage(e) && e.text === "two",
          "bob to get two",
        );
        for (const client of [ada, bob]) {
          const offsets = client.events.filter(isMessage).map((e) => e.offset);
          assert.deepEqual(
            offsets,
            Array.from({ length: offsets.length }, (_, i) => i + 1),
            "no gap and no repeat across the outage",
          );
        }
        await using again = await V1Client.open(wsUrl(nodes[1]));
        const rejoined = await again.join(ROOM, {
          since: { epoch: joined.epoch, offset: 1 },
        });
        assert.equal(rejoined.recovered, true);
        assert.equal(rejoined.epoch, joined.epoch);
        assert.equal(rejoined.history.at(-1).text, "two");
      },
    );

    await t.step(
      "back empty: members told to rejoin; a new epoch",
      async () => {
        await redis.restart({ empty: true });
        for (const node of nodes) await untilReadyz(node, 200, 15_000);
        const closed = await ada.closed;
        assert.equal(closed.code, 1012);
        await using fresh = await V1Client.open(wsUrl(nodes[0]));
        const rejoined = await fresh.join(ROOM, {
          since: { epoch: joined.epoch, offset: 2 },
        });
        assert.equal(rejoined.recovered, false);
        assert.notEqual(rejoined.epoch, joined.epoch);
        const ack = await fresh.request({
          type: "send",
          room: ROOM,
          text: "1",
        });
        assert.equal(ack.offset, 1);
      },
    );
  } finally {
    await Promise.all(nodes.map((node) => node[Symbol.asyncDispose]()));
  }
});

Deno.test({
  name: "A node started before its Redis: not ready, then ready by itself",
  ...redisTest,
}, async () => {
  await using redis = await RedisServer.start();
  await redis.stop();
  await using node = await startNode(redis.url);
  assert.equal(await readyz(node), 503);
  await node.stderr.find(/unreachable/, "the reason it is not ready");
  await redis.restart();
  await untilReadyz(node, 200, 15_000);
  await node.stderr.find(/reachable: ready/, "the line saying it is ready");
  await using ada = await V1Client.open(wsUrl(node));
  await ada.join(ROOM);
  const ack = await ada.request({ type: "send", room: ROOM, text: "hi" });
  assert.equal(ack.offset, 1);
});
