/**
 * What only the Redis store does, against a redis-server of the test's
 * own: its byte budget, one round trip per append, presence across stores
 * as they go, and `--workers` on Redis. What every store does is in the
 * conformance suite (`conformance_test.ts`).
 */

import assert from "node:assert/strict";
import { createClient } from "@redis/client";
import { until } from "../test_util/natter.ts";
import { startNode, untilReadyz, wsUrl } from "../test_util/node.ts";
import { RedisServer, redisTest } from "../test_util/redis.ts";
import { V1Client } from "../test_util/v1.ts";
import { RedisStore, type RedisStoreOptions } from "./redis.ts";
import { roomKeys } from "./redis_scripts.ts";
import type { Draft } from "./store.ts";

const drafts = (...texts: string[]): Draft[] =>
  texts.map((text) => ({ text, from: { client: "c1", nick: "ada" } }));

async function openStore(
  redis: RedisServer,
  options: RedisStoreOptions = {},
): Promise<RedisStore> {
  const store = new RedisStore(redis.url, options);
  await until(() => store.ready(), "the store to be ready");
  return store;
}

/** How many times Redis ran each command so far. */
async function commandCalls(redis: RedisServer): Promise<Map<string, number>> {
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    const info = await client.sendCommand(["INFO", "commandstats"]) as string;
    const calls = new Map<string, number>();
    for (const match of info.matchAll(/^cmdstat_(\S+):calls=(\d+)/gm)) {
      calls.set(match[1], Number(match[2]));
    }
    return calls;
  } finally {
    client.destroy();
  }
}

Deno.test({
  name: "RedisStore counts its byte budget as the entries' UTF-8 bytes",
  ...redisTest,
}, async () => {
  await using redis = await RedisServer.start();
  await using store = await openStore(redis, { historyBytes: 200 });
  await store.open("b", () => {});
  // Each entry is its text and about 50 bytes more: one of them fits.
  await store.append("b", drafts("x".repeat(80), "y".repeat(80)));
  const replay = await store.replay("b", 2, { limit: 50 });
  assert.deepEqual(replay.messages.map((m) => m.offset), [2]);
});

Deno.test({
  name: "RedisStore keeps a room's send keys (C7) only for its kept " +
    "messages, and lets them expire with the room",
  ...redisTest,
}, async () => {
  await using redis = await RedisServer.start();
  await using store = await openStore(redis, { historySize: 3 });
  await store.open("k", () => {});
  for (let i = 0; i < 10; i++) {
    const key = `key-${String(i).padStart(12, "0")}`;
    await store.append("k", [{ ...drafts(`m${i}`)[0], key }]);
  }
  await store.append("k", drafts("no key"));
  const keys = roomKeys("k")[4];
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    const kept = await client.sendCommand(["ZRANGE", keys, "0", "-1"]);
    assert.deepEqual(kept, [
      '["key-000000000008"]',
      '["key-000000000009"]',
    ], "the keys of messages 9 and 10; message 11 had none");
    const ttl = Number(await client.sendCommand(["PTTL", keys]));
    const logTtl = Number(await client.sendCommand(["PTTL", roomKeys("k")[1]]));
    assert.ok(ttl > 0 && Math.abs(ttl - logTtl) < 5000, `expires: ${ttl}`);
  } finally {
    client.destroy();
  }
});

Deno.test({
  name: "RedisStore.append() takes one round trip for a turn's messages",
  ...redisTest,
}, async () => {
  await using redis = await RedisServer.start();
  await using store = await openStore(redis);
  await store.open("r", () => {});
  await store.append("r", drafts("warm up"));
  const before = await commandCalls(redis);
  await store.append("r", drafts(...Array.from({ length: 100 }, String)));
  const after = await commandCalls(redis);
  const ran = (name: string) =>
    (after.get(name) ?? 0) - (before.get(name) ?? 0);
  assert.equal(ran("evalsha"), 1, "one script for 100 messages");
  assert.equal(ran("publish"), 1, "one publish for the batch");
  assert.equal(ran("rpush"), 1);
});

Deno.test({
  name: "RedisStore: presence spans stores; leaving on dispose tells others",
  ...redisTest,
}, async () => {
  await using redis = await RedisServer.start();
  await using a = await openStore(redis);
  const b = await openStore(redis);
  const news: unknown[] = [];
  await a.open("r", () => {}, {
    presence: (joined, left) => news.push({ joined, left }),
  });
  await b.open("r", () => {});
  await b.updatePresence("r", [{ client: "b1", nick: "bob" }], []);
  await until(() => news.length === 1, "a to hear of bob");
  assert.deepEqual(await a.presence("r"), [{ client: "b1", nick: "bob" }]);
  await b[Symbol.asyncDispose]();
  await until(() => news.length === 2, "a to hear bob left");
  assert.deepEqual(news[1], {
    joined: [],
    left: [{ client: "b1", nick: "bob" }],
  });
  assert.deepEqual(await a.presence("r"), []);
});

Deno.test({
  name: "--workers 2 with --redis: every worker is a node of the room",
  ...redisTest,
}, async () => {
  await using redis = await RedisServer.start();
  await using node = await startNode(redis.url, ["--workers", "2"]);
  await untilReadyz(node, 200);
  const clients = await Promise.all(
    Array.from({ length: 4 }, () => V1Client.open(wsUrl(node))),
  );
  try {
    for (const client of clients) await client.join("w");
    for (const [i, client] of clients.entries()) {
      await client.request({ type: "send", room: "w", text: `${i}` });
    }
    for (const client of clients) {
      const seen = await client.waitForAll(
        (e) => e.type === "message",
        4,
        "every message",
      );
      assert.deepEqual(seen.map((e) => e.offset), [1, 2, 3, 4]);
      assert.deepEqual(seen.map((e) => e.text), ["0", "1", "2", "3"]);
    }
  } finally {
    for (const client of clients) await client[Symbol.asyncDispose]();
  }
});
