/**
 * End-to-end tests of `--drain-window` on a real server: a drained server
 * closes its clients in batches over the window, so that they do not all
 * reconnect elsewhere in the same instant; a server that was not drained
 * closes them all at once; neither waits on a stalled peer past its deadline.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type ChatClient,
  deadline,
  DEADLINE_MS,
  openClients,
  startServer,
  until,
} from "../test_util/natter.ts";
import { rawHandshake } from "../test_util/raw_ws.ts";
import { SERVICE_RESTART } from "./server.ts";

/** Each client's close event and when it came, in ms from `start`. */
function closeTimes(
  clients: ChatClient[],
  start: number,
): Promise<{ code: number; at: number }[]> {
  return Promise.all(clients.map(async (client) => {
    const event = await client.closed;
    return { code: event.code, at: performance.now() - start };
  }));
}

Deno.test("serve() drained closes 300 clients with 1012, spread over the drain window", async () => {
  const window = 1500;
  // A timeout shorter than the window: the deadline must grow by it.
  await using server = startServer({
    drainWindow: window,
    shutdownTimeout: 1000,
  });
  const clients = await openClients(server, 300);
  // An idle HTTP connection holds the listener's shutdown a second: that
  // must fit in what the batches leave of the timeout plus the window.
  const { hostname, port } = server.addr;
  using idle = await Deno.connect({ hostname, port });
  const start = performance.now();
  const closes = closeTimes(clients, start);
  server.drain();
  const clean = await deadline(
    server.shutdown(SERVICE_RESTART),
    "the shutdown",
    window + DEADLINE_MS,
  );
  assert.equal(clean, true, "every connection ended in time");
  assert.equal(await idle.read(new Uint8Array(1)), null, "the idle one closed");
  const events = await deadline(closes, "every client's close");
  assert.deepEqual(
    [...new Set(events.map((e) => e.code))],
    [1012],
    "every client is told to restart",
  );
  const times = events.map((e) => e.at);
  const spread = Math.max(...times) - Math.min(...times);
  assert.ok(
    spread >= window / 3,
    `the closes came within ${spread} ms, not spread over ${window} ms`,
  );
});

Deno.test("serve() refuses a new WebSocket while it drains its clients", async () => {
  await using server = startServer({ drainWindow: 2000 });
  // 200 clients over 2 s go in 8 batches of 25, the last at 700 ms.
  const clients = await openClients(server, 200);
  const closes = Promise.all(clients.map((c) => c.closed));
  server.drain();
  const stopping = server.shutdown(SERVICE_RESTART);
  // Once the first batch has closed, the server is draining the rest.
  await deadline(Promise.race(clients.map((c) => c.closed)), "a first close");
  const late = await rawHandshake(server.addr);
  assert.equal(late.status, 503, "no upgrade while stopping");
  assert.equal(await deadline(stopping, "the shutdown"), true);
  await deadline(closes, "every client's close");
});

Deno.test("serve() closes at once whatever the window when it was not drained, or has few clients", async (t) => {
  // A window of a minute would outlast the test's deadline if it were used.
  const window = 60_000;
  const cases = [
    // Released by their rooms, which flush their queues first: no batch.
    { name: "not drained, 100 clients", drain: false, count: 100, kicked: 0 },
    // One batch: each is closed by the server, and that is logged.
    { name: "drained, 10 clients", drain: true, count: 10, kicked: 10 },
  ];
  for (const { name, drain, count, kicked } of cases) {
    await t.step(name, async () => {
      const events: string[] = [];
      await using server = startServer({
        drainWindow: window,
        log: (_, fields) => events.push(String(fields?.event)),
      });
      const clients = await openClients(server, count);
      const closes = Promise.all(clients.map((c) => c.closed));
      if (drain) server.drain();
      const clean = await deadline(
        server.shutdown(drain ? SERVICE_RESTART : undefined),
        "the shutdown, well before the window's end",
      );
      assert.equal(clean, true);
      const codes = (await deadline(closes, "every client's close")).map((e) =>
        e.code
      );
      assert.deepEqual(codes, Array(count).fill(drain ? 1012 : 1001));
      const closed = events.filter((event) => event === "server_close");
      assert.equal(closed.length, kicked, "clients closed by a batch");
    });
  }
});

Deno.test("serve() drained gives up on a peer that never reads by the window plus the timeout", async () => {
  const window = 1000;
  const timeout = 500;
  await using server = startServer({
    drainWindow: window,
    shutdownTimeout: timeout,
  });
  const clients = await openClients(server, 50);
  const stalled = await rawHandshake(server.addr);
  assert.equal(stalled.status, 101);
  try {
    await until(() => server.members() === 51, "the stalled member");
    const closes = Promise.all(clients.map((c) => c.closed));
    server.drain();
    const start = performance.now();
    // It never reads, so it never answers natter's close.
    const clean = await deadline(
      server.shutdown(SERVICE_RESTART),
      "the shutdown to give up",
      window + timeout + DEADLINE_MS,
    );
    const elapsed = performance.now() - start;
    assert.equal(clean, false, "the stalled peer did not end in time");
    assert.ok(elapsed >= timeout, `gave up after only ${elapsed} ms`);
    const events = await deadline(closes, "the other clients' closes");
    assert.ok(events.every((e) => e.code === 1012), "the others closed 1012");
  } finally {
    stalled.conn?.abort();
  }
});
