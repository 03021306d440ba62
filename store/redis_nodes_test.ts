/**
 * natter nodes sharing rooms through Redis, end to end: a redis-server of
 * the test's own, two or three natter processes with `--redis`, natter.v1
 * and plain clients spread across them.
 */

import assert from "node:assert/strict";
import { ChatClient, deadline } from "../test_util/natter.ts";
import { type Node, startNode, untilReadyz, wsUrl } from "../test_util/node.ts";
import { RedisServer, redisTest } from "../test_util/redis.ts";
import { type Event, V1Client } from "../test_util/v1.ts";

const ROOM = "den";
const isMessage = (e: Event) => e.type === "message" && e.room === ROOM;

/** Starts `count` nodes on `redis`, each ready. */
async function startNodes(
  redis: RedisServer,
  count: number,
  args: string[] = [],
): Promise<Node[]> {
  const nodes = await Promise.all(
    Array.from({ length: count }, () => startNode(redis.url, args)),
  );
  for (const node of nodes) await untilReadyz(node, 200);
  return nodes;
}

async function stopAll(nodes: Node[]): Promise<void> {
  await Promise.all(nodes.map((node) => node[Symbol.asyncDispose]()));
}

Deno.test({
  name: "I4, R6 across nodes: three nodes, one order, offsets 1..N",
  ...redisTest,
}, async () => {
  await using redis = await RedisServer.start();
  const nodes = await startNodes(redis, 3);
  try {
    const clients = await Promise.all(
      nodes.map((node) => V1Client.open(wsUrl(node))),
    );
    const joins: Event[] = [];
    for (const [i, client] of clients.entries()) {
      joins.push(await client.join(ROOM, { nick: `n${i}` }));
    }
    // Presence across nodes: n0 is told of n1 and n2, joined elsewhere.
    for (const i of [1, 2]) {
      await clients[0].waitFor(
        (e) =>
          e.type === "presence" &&
          e.joined.some((m: Event) => m.client === joins[i].client),
        `n0 to see n${i} join on another node`,
      );
    }
    assert.equal(joins[2].presence.length, 3, "the joined list spans nodes");
    // M1, M2: a plain member on yet another node than most senders.
    const plain = await ChatClient.open(wsUrl(nodes[1], ROOM));
    await clients[0].waitFor(
      (e) => e.type === "presence" && e.joined.some((m: Event) => !m.nick),
      "n0 to see the plain member join",
    );
    const perSender = 15;
    for (let k = 0; k < perSender; k++) {
      for (const [i, client] of clients.entries()) {
        client.send({ type: "send", room: ROOM, text: `n${i}:${k}`, id: k });
      }
      plain.send(`p:${k}`);
    }
    const total = perSender * (clients.length + 1);
    const seen = await Promise.all(
      clients.map((c) => c.waitForAll(isMessage, total, "messages")),
    );
    const texts = seen[0].map((e) => e.text);
    for (const events of seen) {
      assert.deepEqual(
        events.map((e) => e.offset),
        Array.from({ length: total }, (_, i) => i + 1),
        "offsets 1..N with no gap and no repeat",
      );
      assert.deepEqual(events.map((e) => e.text), texts, "one order");
    }
    assert.deepEqual(await plain.waitForMessages(total), texts);
    for (const sender of ["n0", "n1", "n2", "p"]) {
      const own = texts.filter((t) => t.startsWith(`${sender}:`));
      assert.deepEqual(
        own,
        Array.from({ length: perSender }, (_, k) => `${sender}:${k}`),
        `${sender}'s own order is kept`,
      );
    }
    // Every ack names the offset its message got.
    for (const [i, client] of clients.entries()) {
      const acks = client.events.filter((e) => e.type === "ack");
      assert.equal(acks.length, perSender);
      for (const ack of acks) {
        assert.equal(texts[ack.offset - 1], `n${i}:${ack.id}`);
      }
    }

    // C2 across nodes: leave node 0 at offset N, rejoin on node 2 later.
    const epoch = joins[0].epoch;
    await clients[0][Symbol.asyncDispose]();
    await clients[1].request({ type: "send", room: ROOM, text: "missed" });
    await clients[2].waitForAll(isMessage, total + 1, "the missed message");
    await using back = await V1Client.open(wsUrl(nodes[2]));
    const rejoined = await back.join(ROOM, {
      since: { epoch, offset: total },
    });
    assert.equal(rejoined.recovered, true);
    assert.equal(rejoined.epoch, epoch);
    assert.deepEqual(rejoined.history.map((e: Event) => e.text), ["missed"]);
    assert.equal(rejoined.history[0].offset, total + 1);
    // Presence: n0's leave reached the other nodes.
    await clients[2].waitFor(
      (e) =>
        e.type === "presence" &&
        e.left.some((m: Event) => m.client === joins[0].client),
      "n2 to see n0 leave node 0",
    );
    for (const client of clients.slice(1)) await client[Symbol.asyncDispose]();
    await plain[Symbol.asyncDispose]();
  } finally {
    await stopAll(nodes);
  }
});

Deno.test({
  name: "Presence expiry: a node killed with SIGKILL leaves presence elsewhere",
  ...redisTest,
}, async () => {
  await using redis = await RedisServer.start();
  const nodes = await startNodes(redis, 2, ["--presence-expiry", "3"]);
  try {
    await using ada = await V1Client.open(wsUrl(nodes[0]));
    await ada.join(ROOM, { nick: "ada" });
    const bob = await V1Client.open(wsUrl(nodes[1]));
    const bobJoined = await bob.join(ROOM, { nick: "bob" });
    await ada.waitFor((e) => e.type === "presence", "ada to see bob join");
    const killed = Date.now();
    nodes[1].child.kill("SIGKILL");
    await bob.closed;
    const left = await deadline(
      ada.waitFor(
        (e) =>
          e.type === "presence" &&
          e.left.some((m: Event) => m.client === bobJoined.client),
        "bob to leave with his node",
      ),
      "bob to leave within the expiry",
      4000,
    );
    assert.deepEqual(left.left, [{ client: bobJoined.client, nick: "bob" }]);
    const took = Date.now() - killed;
    assert.ok(took <= 3000 + 500, `bob left after ${took} ms`);
    await using cy = await V1Client.open(wsUrl(nodes[0]));
    const joined = await cy.join(ROOM, { nick: "cy" });
    assert.deepEqual(joined.presence.map((m: Event) => m.nick).sort(), [
      "ada",
      "cy",
    ]);
  } finally {
    await stopAll(nodes);
  }
});
