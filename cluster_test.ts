import assert from "node:assert/strict";
import { serveCluster } from "./cluster.ts";
import { ChatClient } from "./test_util/natter.ts";

Deno.test("serveCluster() keeps one global order across workers (I4, A1)", async () => {
  await using cluster = await serveCluster({
    workers: 2,
    hostname: "127.0.0.1",
    port: 0,
  });
  const url = `ws://127.0.0.1:${cluster.addr.port}/ws`;
  // 16 connections: the kernel spreads them over both workers' listeners.
  const clients = await Promise.all(
    Array.from({ length: 16 }, () => ChatClient.open(url)),
  );
  try {
    // A client's own message comes back only after its Hub registered it,
    // and every message after that in the global order reaches it too.
    clients.forEach((c, i) => c.send(`ready ${i}`));
    await Promise.all(clients.map(async (c, i) => {
      while (!c.messages.includes(`ready ${i}`)) {
        await c.waitForMessages(c.messages.length + 1);
      }
    }));
    const senders = clients.slice(0, 4);
    for (let n = 0; n < 50; n++) {
      senders.forEach((c, s) => c.send(`m ${s} ${n}`));
    }
    await Promise.all(clients.map(async (c) => {
      while (c.messages.filter((m) => m.startsWith("m ")).length < 200) {
        await c.waitForMessages(c.messages.length + 1);
      }
    }));
    const orders = clients.map((c) =>
      c.messages.filter((m) => m.startsWith("m "))
    );
    for (const order of orders) assert.deepEqual(order, orders[0]);
    for (let s = 0; s < 4; s++) {
      const fromS = orders[0].filter((m) => m.startsWith(`m ${s} `));
      assert.deepEqual(
        fromS,
        Array.from({ length: 50 }, (_, n) => `m ${s} ${n}`),
      );
    }
  } finally {
    await Promise.all(clients.map((c) => c[Symbol.asyncDispose]()));
  }
});

Deno.test("serveCluster() shutdown closes every client with 1001", async () => {
  const cluster = await serveCluster({
    workers: 2,
    hostname: "127.0.0.1",
    port: 0,
  });
  const url = `ws://127.0.0.1:${cluster.addr.port}/ws`;
  const clients = await Promise.all(
    Array.from({ length: 8 }, () => ChatClient.open(url)),
  );
  clients.forEach((c, i) => c.send(`ready ${i}`));
  await Promise.all(clients.map(async (c, i) => {
    while (!c.messages.includes(`ready ${i}`)) {
      await c.waitForMessages(c.messages.length + 1);
    }
  }));
  assert.equal(await cluster.shutdown(), true);
  for (const c of clients) {
    const event = await c.closed;
    assert.equal(event.code, 1001);
    assert.equal(event.reason, "server shutting down");
  }
});

Deno.test("serveCluster() rejects with AddrInUse when the port is taken", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await assert.rejects(
    serveCluster({
      workers: 2,
      hostname: "127.0.0.1",
      port: listener.addr.port,
    }),
    Deno.errors.AddrInUse,
  );
});
