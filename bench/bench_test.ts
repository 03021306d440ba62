import assert from "node:assert/strict";
import { serve } from "../http/server.ts";
import { broadcast } from "./broadcast.ts";
import { connectStorm } from "./connect.ts";
import { flood } from "./flood.ts";

Deno.test("broadcast() counts every delivery, in order, against natter", async () => {
  await using natter = serve({ hostname: "127.0.0.1", port: 0, onListen() {} });
  const result = await broadcast({
    url: `ws://127.0.0.1:${natter.addr.port}/ws`,
    clients: 20,
    senders: 2,
    rate: 200,
    size: 100,
    duration: 1000,
    drain: 5000,
    workers: 2,
    pid: Deno.pid,
  });
  assert.equal(result.connect.connected, 20);
  assert.ok(result.sent >= 300, `sent ${result.sent}`);
  assert.equal(result.expected_deliveries, result.sent * 20);
  assert.equal(result.delivery_ratio, 1);
  assert.equal(result.out_of_order, 0);
  assert.equal(result.duplicates, 0);
  assert.equal(result.latency.samples, result.delivered);
  assert.ok(result.latency.p99_ms > 0);
  assert.equal(result.disconnects.count, 0);
  assert.ok(result.server && result.server.rss_peak_kib > 0);
});

Deno.test("broadcast() speaks natter.v1 and counts deliveries per room", async (t) => {
  await using natter = serve({ hostname: "127.0.0.1", port: 0, onListen() {} });
  const url = `ws://127.0.0.1:${natter.addr.port}/ws`;
  for (const protocol of ["natter.v1", "plain"] as const) {
    await t.step(`${protocol}, 4 rooms`, async () => {
      const result = await broadcast({
        url,
        clients: 20,
        senders: 4,
        rate: 100,
        size: 100,
        duration: 500,
        drain: 5000,
        workers: 2,
        protocol,
        rooms: 4,
      });
      assert.equal(result.receivers_connected_at_end, 20);
      assert.ok(result.sent >= 100, `sent ${result.sent}`);
      // Each room holds 5 of the 20 clients and hears only its sender.
      assert.equal(result.expected_deliveries, result.sent * 5);
      assert.equal(result.delivery_ratio, 1);
      assert.equal(result.out_of_order, 0);
      assert.equal(result.duplicates, 0);
      assert.equal(result.disconnects.count, 0);
    });
  }
  await t.step("natter.v1, one room", async () => {
    const result = await broadcast({
      url,
      clients: 10,
      senders: 2,
      rate: 100,
      size: 100,
      duration: 500,
      drain: 5000,
      workers: 2,
      protocol: "natter.v1",
    });
    assert.equal(result.expected_deliveries, result.sent * 10);
    assert.equal(result.delivery_ratio, 1);
  });
});

Deno.test("connectStorm() reaches every connection with one broadcast", async () => {
  await using natter = serve({ hostname: "127.0.0.1", port: 0, onListen() {} });
  const result = await connectStorm({
    url: `ws://127.0.0.1:${natter.addr.port}/ws`,
    clients: 200,
    par: 20,
    hold: 0,
  });
  assert.equal(result.connect.connected, 200);
  assert.equal(result.fanout.received, 200);
  assert.equal(result.fanout.latency.samples, 200);
});

Deno.test("flood() counts who got in, checks they all chat, and times serving again", async () => {
  await using natter = serve({
    hostname: "127.0.0.1",
    port: 0,
    maxConnections: 20,
    maxSockets: 30,
    onListen() {},
  });
  const result = await flood({
    url: `ws://127.0.0.1:${natter.addr.port}/ws`,
    generators: 2,
    clients: 30,
    par: 30,
    check: 5,
  });
  assert.equal(result.attempted, 60);
  assert.equal(result.admitted, 20);
  assert.equal(result.kept, 20);
  assert.equal(result.messages.complete, 20);
  assert.equal(result.messages.lost, 0);
  assert.ok(result.serve_again_ms !== null);
});
