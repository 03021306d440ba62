/**
 * C7 end to end: a `send` with a `key` is posted once while its first
 * message is in the history, on one server, with tokens, and across two
 * nodes sharing a Redis.
 */

import assert from "node:assert/strict";
import { createVerifier } from "../auth/token.ts";
import { ChatClient, startServer } from "../test_util/natter.ts";
import { startNode, untilReadyz, wsUrl } from "../test_util/node.ts";
import { RedisServer, redisTest } from "../test_util/redis.ts";
import { SECRET, sign } from "../test_util/tokens.ts";
import { type Event, V1Client } from "../test_util/v1.ts";

const ROOM = "den";
const KEY = "Kq3_x9-ZbT2mW8vL";
const isMessage = (e: Event) => e.type === "message" && e.room === ROOM;

/**
 * Sends `text` through `client` and waits until `watcher` has its message:
 * everything the room posted before it has reached `watcher` by then.
 */
async function marker(client: V1Client, watcher: V1Client, text: string) {
  await client.request({ type: "send", room: ROOM, text });
  await watcher.waitFor((e) => isMessage(e) && e.text === text, text);
}

const texts = (client: V1Client) => client.messages(ROOM).map((e) => e.text);

Deno.test("C7: a send repeated with its key is acked with the first offset and posted once", async () => {
  await using server = startServer();
  await using ada = await V1Client.open(server.wsUrl);
  await using bob = await V1Client.open(server.wsUrl);
  await ada.join(ROOM, { nick: "ada" });
  await bob.join(ROOM, { nick: "bob" });
  await using plain = await ChatClient.open(`${server.wsUrl}/${ROOM}`);
  await ada.waitFor((e) => e.type === "presence" && e.count === 3, "plain");

  const send = (text: string, key?: string) =>
    ada.request({ type: "send", room: ROOM, text, key });
  const ack = await send("hi", KEY);
  assert.deepEqual(ack, { type: "ack", id: ack.id, room: ROOM, offset: 1 });
  const again = await send("hi, once more", KEY);
  assert.equal(again.type, "ack");
  assert.equal(again.offset, 1, "the first message's offset, whatever text");
  assert.equal((await send("no key")).offset, 2);
  assert.equal((await send("no key")).offset, 3, "no key: posted again");
  assert.equal((await send("third", KEY)).offset, 1);
  await marker(ada, bob, "end");
  for (const client of [ada, bob]) {
    assert.deepEqual(texts(client), ["hi", "no key", "no key", "end"]);
  }
  assert.deepEqual(await plain.waitForMessages(4), [
    "hi",
    "no key",
    "no key",
    "end",
  ]);

  // Pipelined, so most likely in one turn of the room: still one post.
  const other = "Other_key_0123456789";
  for (const text of ["a", "b", "c"]) {
    ada.send({ type: "send", room: ROOM, text, key: other, id: `p-${text}` });
  }
  const acks = await ada.waitForAll(
    (e) => e.type === "ack" && String(e.id).startsWith("p-"),
    3,
    "the pipelined sends' acks",
  );
  assert.deepEqual(acks.map((e) => e.offset), [5, 5, 5]);
  await marker(ada, bob, "end 2");
  assert.deepEqual(texts(bob).slice(4), ["a", "end 2"]);
});

Deno.test("C7: a flood of repeats posts each key once, and acks each send", async () => {
  await using server = startServer();
  await using ada = await V1Client.open(server.wsUrl);
  await ada.join(ROOM);
  const keys = ["a", "b", "c"].map((c) => c.repeat(16));
  const count = 120;
  for (let i = 0; i < count; i++) {
    const key = keys[i % 3];
    ada.send({ type: "send", room: ROOM, text: `${i}`, key, id: `f${i}` });
  }
  const acks = await ada.waitForAll(
    (e) => e.type === "ack" && String(e.id).startsWith("f"),
    count,
    "an ack for every send",
  );
  for (const ack of acks) {
    const i = Number(ack.id.slice(1));
    assert.equal(ack.offset, (i % 3) + 1, `send ${i}`);
  }
  await marker(ada, ada, "end");
  assert.deepEqual(texts(ada), ["0", "1", "2", "end"]);
});

Deno.test("C7, C2: a client that resends after a reconnect posts once", async () => {
  await using server = startServer();
  await using bob = await V1Client.open(server.wsUrl);
  await bob.join(ROOM);
  const first = await V1Client.open(server.wsUrl);
  const joined = await first.join(ROOM, { nick: "ada" });
  const ack = await first.request({
    type: "send",
    room: ROOM,
    text: "did it go?",
    key: KEY,
  });
  await first[Symbol.asyncDispose]();
  await using back = await V1Client.open(server.wsUrl);
  const rejoined = await back.join(ROOM, {
    nick: "ada",
    since: { epoch: joined.epoch, offset: 0 },
  });
  assert.equal(rejoined.recovered, true);
  assert.deepEqual(rejoined.history.map((e: Event) => e.text), ["did it go?"]);
  const resent = await back.request({
    type: "send",
    room: ROOM,
    text: "did it go?",
    key: KEY,
  });
  assert.equal(resent.offset, ack.offset);
  await marker(back, bob, "after");
  assert.deepEqual(texts(bob), ["did it go?", "after"]);
});

Deno.test("C7, S4: a bad key is bad_request, and the connection carries on", async (t) => {
  await using server = startServer();
  await using ada = await V1Client.open(server.wsUrl);
  await ada.join(ROOM);
  const bad: [string, unknown][] = [
    ["15 characters", "a".repeat(15)],
    ["65 characters", "a".repeat(65)],
    ["empty", ""],
    ["a number", 1234567890123456],
    ["null", null],
    ["a list", ["a".repeat(16)]],
    ["an object", { k: "a".repeat(16) }],
    ["a space", "abcdefgh ijklmnop"],
    ["a dot", "abcdefgh.ijklmnop"],
    ["a quote", 'abcdefgh"ijklmnop'],
    ["non-ASCII", "\u00e9".repeat(16)],
    ["a NUL", "abcdefgh\u0000ijklmnop"],
    ["a line feed", "abcdefgh\nijklmnop"],
    ["a huge one", "k".repeat(3000)],
  ];
  for (const [what, key] of bad) {
    await t.step(what, async () => {
      const reply = await ada.request({
        type: "send",
        room: ROOM,
        text: "x",
        key,
      });
      assert.equal(reply.type, "error", JSON.stringify(reply));
      assert.equal(reply.code, "bad_request");
      assert.match(reply.message, /"key"/);
    });
  }
  await t.step(
    "bad even in a room not joined: the frame is malformed",
    async () => {
      const reply = await ada.request({
        type: "send",
        room: "elsewhere",
        text: "x",
        key: "short",
      });
      assert.equal(reply.code, "bad_request");
    },
  );
  await t.step("16 and 64 characters of the set are keys", async () => {
    for (const key of ["a".repeat(16), "Az09_-".repeat(10) + "abcd"]) {
      const ack = await ada.request({
        type: "send",
        room: ROOM,
        text: key,
        key,
      });
      assert.equal(ack.type, "ack", JSON.stringify(ack));
    }
  });
  await marker(ada, ada, "still here");
  assert.deepEqual(texts(ada), [
    "a".repeat(16),
    "Az09_-".repeat(10) + "abcd",
    "still here",
  ], "nothing with a bad key was posted");
});

Deno.test("C7 with tokens: a key's scope is the room and the token's user", async () => {
  const verifier = await createVerifier({ secret: SECRET });
  await using server = startServer({ verifier });
  const open = async (sub: string) => {
    const token = await sign({ sub });
    const url = `${server.wsUrl}?token=${encodeURIComponent(token)}`;
    const client = await V1Client.open(url);
    await client.join(ROOM);
    return client;
  };
  await using ada = await open("u-ada");
  await using adaPhone = await open("u-ada");
  await using cy = await open("u-cy");
  const send = (client: V1Client, text: string, room = ROOM) =>
    client.request({ type: "send", room, text, key: KEY });
  assert.equal((await send(ada, "ada's")).offset, 1);
  assert.equal((await send(cy, "cy's")).offset, 2, "another user");
  assert.equal((await send(adaPhone, "ada's again")).offset, 1, "same user");
  assert.equal((await send(cy, "cy's again")).offset, 2);
  await ada.join("other");
  assert.equal((await send(ada, "elsewhere", "other")).offset, 1);
  await marker(ada, cy, "end");
  assert.deepEqual(texts(cy), ["ada's", "cy's", "end"]);
  const [first] = cy.messages(ROOM);
  assert.equal(first.from.user, "u-ada");
});

Deno.test({
  name: "C7 across nodes: a key sent on one node and again on another is " +
    "posted once",
  ...redisTest,
}, async () => {
  await using redis = await RedisServer.start();
  const nodes = await Promise.all([
    startNode(redis.url),
    startNode(redis.url),
  ]);
  try {
    for (const node of nodes) await untilReadyz(node, 200);
    await using one = await V1Client.open(wsUrl(nodes[0]));
    await using two = await V1Client.open(wsUrl(nodes[1]));
    await one.join(ROOM);
    await two.join(ROOM);
    const send = (client: V1Client, text: string) =>
      client.request({ type: "send", room: ROOM, text, key: KEY });
    const first = await send(one, "from node 1");
    assert.equal(first.offset, 1);
    const again = await send(two, "again from node 2");
    assert.equal(again.type, "ack");
    assert.equal(again.offset, 1, "node 2 knows the key node 1 stored");
    // Both at once, a fresh key, on both nodes: one is stored.
    const fresh = "Fresh-key-0123456789";
    const [a, b] = await Promise.all(
      [one, two].map((client) =>
        client.request({ type: "send", room: ROOM, text: "race", key: fresh })
      ),
    );
    assert.deepEqual([a.offset, b.offset], [2, 2]);
    await marker(two, one, "end");
    await marker(one, two, "end 2");
    for (const client of [one, two]) {
      assert.deepEqual(texts(client), ["from node 1", "race", "end", "end 2"]);
    }
  } finally {
    await Promise.all(nodes.map((node) => node[Symbol.asyncDispose]()));
  }
});
