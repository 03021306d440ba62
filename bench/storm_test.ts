import assert from "node:assert/strict";
import { redisTest } from "../test_util/redis.ts";
import { deadline, startServer } from "../test_util/natter.ts";
import { storm } from "./storm.ts";
import { Joiners } from "./storm_joiners.ts";
import { Mover } from "./storm_mover.ts";
import { stormNodes } from "./storm_nodes.ts";

/**
 * Runs `run` with a signal aborted after `ms`: a run that hangs stops
 * waiting and reports what it has, for the assertions to fail on.
 */
async function giveUpAfter<T>(
  ms: number,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), ms);
  try {
    return await run(stop.signal);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("storm() joins every client to a room with history and counts their presence", async () => {
  await using natter = startServer();
  const report = await giveUpAfter(60_000, (signal) =>
    storm({
      signal,
      url: natter.wsUrl,
      room: "storm",
      clients: 500,
      par: 100,
      history: 60,
      workers: 2,
      pid: Deno.pid,
      timeout: 10_000,
      attempts: 3,
    }));
  assert.equal(report.complete, true);
  assert.equal(report.joined, 500);
  assert.equal(report.attempts, 500);
  assert.equal(report.gave_up, 0);
  assert.deepEqual(report.failed, {});
  assert.deepEqual(report.disconnects, {});
  assert.equal(report.history_offset, 60);
  assert.ok(report.seconds > 0 && report.joins_per_s > 0);
  const latency = report.join_latency;
  assert.equal(latency.samples, 500);
  assert.ok(latency.p50_ms > 0, `p50 ${latency.p50_ms}`);
  assert.ok(latency.p50_ms <= latency.p90_ms);
  assert.ok(latency.p90_ms <= latency.p99_ms);
  assert.ok(latency.p99_ms <= latency.max_ms);
  const server = report.server!;
  assert.ok(server.rss_peak_mib! > 0 && server.vm_hwm_mib! > 0);
  assert.ok(server.cpu_pct! >= 0);
  // The first member's reply replays 50 of the 60 messages of 100
  // characters, and more members joined after it.
  const first = report.presence.first!;
  assert.ok(first.joined_bytes > 50 * 100, `joined ${first.joined_bytes} B`);
  assert.ok(first.bytes > first.joined_bytes, `${first.bytes} B in all`);
  assert.ok(first.events > 0);
  assert.equal(first.scanned_events, first.events);
  const members = report.presence.per_member;
  assert.equal(members.members, 500);
  assert.ok(members.max_bytes > 0 && members.max_events > 0);
  assert.ok(members.median_bytes <= members.max_bytes);
  assert.ok(members.median_events <= members.max_events);
});

Deno.test("Joiners gives up on a server that refuses, closes, ignores and fakes", async () => {
  // A hostile server: every fifth upgrade refused; then, by the nick, the
  // join refused, the connection closed, or no reply, the last after a
  // message whose text spells a joined reply.
  let upgrades = 0;
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      if (++upgrades % 5 === 0) return new Response(null, { status: 503 });
      const { socket, response } = Deno.upgradeWebSocket(request, {
        protocol: "natter.v1",
      });
      socket.onmessage = ({ data }) => {
        const n = Number(JSON.parse(data).nick.slice(1));
        if (n % 4 === 0) {
          socket.send(
            '[{"type":"error","id":1,"code":"room_full","message":"full"}]',
          );
        } else if (n % 4 === 1) socket.close(1008, "go away");
        else if (n % 4 === 3) {
          socket.send(JSON.stringify([{
            type: "message",
            room: "storm",
            offset: 1,
            text: '[{"type":"joined","id":1}]',
          }]));
        }
      };
      return response;
    },
  );
  const joiners = new Joiners({
    url: `ws://127.0.0.1:${server.addr.port}/ws`,
    room: "storm",
    count: 8,
    first: 0,
    stride: 1,
    par: 8,
    timeout: 300,
    attempts: 2,
    pause: 10,
  });
  await deadline(joiners.run(), "every client to be given up");
  const report = joiners.report();
  joiners.close();
  assert.equal(report.joined, 0);
  assert.equal(report.gaveUp, 8);
  assert.equal(report.attempts, 16);
  assert.equal(report.first, null);
  assert.deepEqual(
    Object.keys(report.failed).sort(),
    ["closed 1008", "http 503", "join: room_full", "timeout"],
  );
  assert.equal(Object.values(report.failed).reduce((a, b) => a + b), 16);
});

Deno.test("Mover.see() finds a gap and a repeat in the offsets", () => {
  const mover = new Mover({ room: "storm", nick: "m1", timeout: 1000 });
  mover.last = 4;
  for (const offset of [5, 6, 8, 9, 9, 7, 10]) mover.see(offset);
  assert.equal(mover.gaps, 1);
  assert.equal(mover.duplicates, 2);
  assert.equal(mover.last, 10);
});

Deno.test({
  name:
    "stormNodes() moves every client from the drained node to the other, losing nothing",
  ...redisTest,
  async fn() {
    const report = await giveUpAfter(60_000, (signal) =>
      stormNodes({
        signal,
        room: "storm",
        clients: 200,
        par: 50,
        timeout: 10_000,
        attempts: 3,
        rate: 20,
        window: 1,
        deadline: 15,
      }));
    assert.equal(report.joined_node_a, 200);
    assert.deepEqual(report.closes, { 1012: 200 });
    assert.equal(report.rejoined, 200);
    assert.equal(report.recovered, 200);
    assert.ok(report.sent > 0 && report.acked === report.sent);
    assert.equal(report.lost_before_drain, 0);
    assert.equal(report.lost, 0, JSON.stringify(report));
    assert.equal(report.pass, true);
    assert.equal(report.node_a_exit, 0);
  },
});
