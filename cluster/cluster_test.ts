import assert from "node:assert/strict";
import { type Cluster, serveCluster } from "./cluster.ts";
import { ChatClient, deadline } from "../test_util/natter.ts";
import { rawHandshake, type RawWebSocket } from "../test_util/raw_ws.ts";

/** Waits until `client` has received `message` (its own echo, say). */
async function receive(client: ChatClient, message: string): Promise<void> {
  while (!client.messages.includes(message)) {
    await client.waitForMessages(client.messages.length + 1);
  }
}

/**
 * Opens clients to `cluster` one at a time until there are at least `count`
 * and every worker serves at least `perWorker` of them; fails after 64. Each
 * client sends "ready N" and waits for its echo, which proves its Hub has
 * registered it; the worker whose published count grew meanwhile serves it.
 * The clients are disposed with `stack`.
 */
async function spreadClients(
  cluster: Cluster,
  stack: AsyncDisposableStack,
  options: { count: number; perWorker: number },
): Promise<{ client: ChatClient; worker: number }[]> {
  const url = `ws://127.0.0.1:${cluster.addr.port}/ws`;
  const placed: { client: ChatClient; worker: number }[] = [];
  const served = cluster.published.map(() => 0);
  while (
    placed.length < options.count ||
    served.some((n) => n < options.perWorker)
  ) {
    assert.ok(
      placed.length < 64,
      `64 connections did not reach every worker: ${served.join(", ")}`,
    );
    const client = stack.use(await ChatClient.open(url));
    const before = [...cluster.published];
    const ready = `ready ${placed.length}`;
    client.send(ready);
    await receive(client, ready);
    const worker = cluster.published.findIndex((n, w) => n > before[w]);
    assert.ok(worker >= 0, "no worker published the client's message");
    served[worker]++;
    placed.push({ client, worker });
  }
  return placed;
}

Deno.test("serveCluster() keeps one global order across workers (I4, A1)", async () => {
  await using cluster = await serveCluster({
    workers: 2,
    hostname: "127.0.0.1",
    port: 0,
  });
  await using stack = new AsyncDisposableStack();
  // The kernel spreads connections over both workers' listeners.
  const placed = await spreadClients(cluster, stack, {
    count: 16,
    perWorker: 2,
  });
  const clients = placed.map(({ client }) => client);
  const on = (worker: number) =>
    placed.filter((p) => p.worker === worker).map(({ client }) => client);
  // Two senders on each worker, so their messages cross between workers.
  const senders = [...on(0).slice(0, 2), ...on(1).slice(0, 2)];
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
  await Promise.all(clients.map((c, i) => receive(c, `ready ${i}`)));
  assert.equal(
    await deadline(cluster.shutdown(), "the cluster to shut down"),
    true,
  );
  for (const c of clients) {
    const event = await deadline(c.closed, "the client to be closed");
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

Deno.test("serveCluster() holds --max-connections-per-ip across workers, not per worker", async () => {
  await using cluster = await serveCluster({
    workers: 2,
    hostname: "127.0.0.1",
    port: 0,
    maxConnectionsPerIp: 3,
  });
  const addr = { hostname: "127.0.0.1", port: cluster.addr.port };
  const held: RawWebSocket[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const { status, conn } = await rawHandshake(addr);
      assert.equal(status, 101);
      held.push(conn!);
    }
    // The kernel spreads these over both workers: each of them would have
    // room for 3 of its own.
    for (let i = 0; i < 12; i++) {
      const { status, conn } = await rawHandshake(addr);
      conn?.abort();
      assert.equal(status, 429, `attempt ${i}`);
    }
    // A place given back on one worker can be taken on either.
    held.pop()!.abort();
    let status = 429;
    for (let tries = 0; status === 429; tries++) {
      assert.ok(tries < 500, "the place given back was never free again");
      await new Promise((resolve) => setTimeout(resolve, 10));
      const result = await deadline(rawHandshake(addr), "an upgrade");
      status = result.status;
      if (result.conn) held.push(result.conn);
    }
    assert.equal(status, 101);
  } finally {
    for (const conn of held) conn.abort();
  }
});

Deno.test("serveCluster() shares the node's accept rate among its workers", async () => {
  // 3 a second over 2 workers: 2 each, so at most 4 at once for the node,
  // where a rate given whole to each worker would let 6 in.
  await using cluster = await serveCluster({
    workers: 2,
    hostname: "127.0.0.1",
    port: 0,
    acceptRate: 3,
  });
  const started = performance.now();
  const results = await deadline(
    Promise.all(
      Array.from({ length: 40 }, () => rawHandshake(cluster.addr)),
    ),
    "40 handshakes",
  );
  const seconds = (performance.now() - started) / 1000;
  const accepted = results.filter((r) => r.status === 101);
  const refused = results.filter((r) => r.status === 503);
  for (const { conn } of results) await conn?.[Symbol.asyncDispose]();
  assert.equal(accepted.length + refused.length, 40);
  // What refilled while the handshakes ran may add a few.
  const most = 4 + Math.floor(seconds * 4);
  assert.ok(
    accepted.length <= most,
    `${accepted.length} accepted in ${seconds.toFixed(2)} s, at most ${most}`,
  );
  assert.ok(accepted.length >= 2, "each worker takes some");
});
