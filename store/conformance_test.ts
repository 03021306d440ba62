/**
 * The store conformance suite (`conformance.ts`) against each store: the
 * memory store, the worker store (a {@linkcode RemoteStore} reaching a
 * {@linkcode StoreHost} on a memory store through a message port, as the
 * workers of `--workers N` reach the main thread), and the Redis store on
 * a redis-server of the test's own.
 */

import { createClient } from "@redis/client";
import { RedisServer, redisTest } from "../test_util/redis.ts";
import { eventually } from "./conformance_case.ts";
import {
  type StoreBounds,
  storeConformance,
  type StoreUnderTest,
} from "./conformance.ts";
import { MemoryStore } from "./memory.ts";
import { RedisStore } from "./redis.ts";
import {
  RemoteStore,
  type StoreAnswer,
  type StoreCall,
  StoreHost,
} from "./remote.ts";

Deno.test("MemoryStore conforms to the Store contract", async (t) => {
  await storeConformance(t, {
    name: "memory",
    shares: false,
    loses: false,
    make: (bounds) =>
      Promise.resolve({
        store: new MemoryStore(bounds),
        [Symbol.asyncDispose]: () => Promise.resolve(),
      }),
  });
});

/**
 * Worker stores on one host: each a {@linkcode RemoteStore} with a port of
 * its own, the structured clone of `postMessage` in between.
 */
function workerStores(bounds: StoreBounds = {}): StoreUnderTest {
  const host = new StoreHost(new MemoryStore(bounds));
  const ports: MessagePort[] = [];
  const connect = (): RemoteStore => {
    const { port1: worker, port2: main } = new MessageChannel();
    ports.push(worker, main);
    const store = new RemoteStore((call) => worker.postMessage(call));
    worker.onmessage = (event: MessageEvent<StoreAnswer>) =>
      store.receive(event.data);
    main.onmessage = (event: MessageEvent<StoreCall>) =>
      void host.handle(event.data, (answer) => main.postMessage(answer));
    return store;
  };
  return {
    store: connect(),
    another: () => Promise.resolve(connect()),
    [Symbol.asyncDispose]() {
      for (const port of ports) port.close();
      return Promise.resolve();
    },
  };
}

Deno.test("RemoteStore (the worker store) conforms to the Store contract", async (t) => {
  await storeConformance(t, {
    name: "worker",
    shares: true,
    loses: false,
    make: (bounds) => Promise.resolve(workerStores(bounds)),
  });
});

/** Sends one command to `redis` on a connection of its own. */
async function command(redis: RedisServer, args: string[]): Promise<unknown> {
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    return await client.sendCommand(args);
  } finally {
    client.destroy();
  }
}

/** Redis stores on `redis`, emptied first: each one a node of natter. */
async function redisStores(
  redis: RedisServer,
  bounds: StoreBounds = {},
): Promise<StoreUnderTest> {
  await command(redis, ["FLUSHALL"]);
  const stores: RedisStore[] = [];
  const connect = async (): Promise<RedisStore> => {
    const store = new RedisStore(redis.url, {
      ...bounds,
      // A room outlives its last check-in by two check-in periods: short
      // ones where the case waits for a room to expire.
      presenceExpiry: bounds.historyTtl === undefined ? undefined : 1000,
    });
    stores.push(store);
    await eventually("the Redis store to be ready", () => store.ready());
    return store;
  };
  return {
    store: await connect(),
    another: connect,
    wipe: async () => void await command(redis, ["FLUSHALL"]),
    async [Symbol.asyncDispose]() {
      for (const store of stores) await store[Symbol.asyncDispose]();
    },
  };
}

Deno.test({
  name: "RedisStore conforms to the Store contract",
  ...redisTest,
}, async (t) => {
  await using redis = await RedisServer.start();
  await storeConformance(t, {
    name: "redis",
    shares: true,
    loses: true,
    make: (bounds) => redisStores(redis, bounds),
  });
});
