import assert from "node:assert/strict";
import { listen } from "./listen.ts";
import { deadline, startServer, until } from "../../test_util/natter.ts";
import { NatterProcess } from "../../test_util/process.ts";
import { rawHandshake } from "../../test_util/raw_ws.ts";
import {
  assertClosedAtDeadline,
  readToEnd,
} from "../../test_util/unfinished.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

const encoder = new TextEncoder();

/** Opens `count` TCP connections to `addr` that send `bytes`, if any. */
function openConns(
  addr: Deno.NetAddr,
  count: number,
  bytes?: string,
): Promise<Deno.Conn[]> {
  return Promise.all(Array.from({ length: count }, async () => {
    const conn = await Deno.connect({
      hostname: addr.hostname,
      port: addr.port,
    });
    if (bytes) await conn.write(encoder.encode(bytes));
    return conn;
  }));
}

Deno.test("listen() serves a connection made as soon as it returns", async () => {
  await using listener = listen(
    { hostname: "127.0.0.1", port: 0 },
    () => new Response("hi\n"),
  );
  const response = await fetch(`http://127.0.0.1:${listener.addr.port}/`);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "hi\n");
});

Deno.test("listen() closes connections that do not complete a request in time, not a slow one that does", async () => {
  const timeout = 1500;
  await using server = startServer({ requestTimeout: timeout });
  const started = performance.now();
  const idle = await openConns(server.addr, 20);
  const half = await openConns(server.addr, 20, "GET /ws HTTP/1.1\r\nHost: ");
  // A slow client: nothing for a fifth of the deadline, half its request,
  // another fifth, the rest. It gets in, and its WebSocket has no deadline.
  const { status, conn } = await rawHandshake(server.addr, {
    pause: timeout / 5,
  });
  assert.equal(status, 101);
  await using slow = conn!;
  await slow.sendText("slow");
  assert.equal(await deadline(slow.readText(), "the echo"), "slow");
  // Every idle and half-sent connection is closed, none before the deadline.
  await assertClosedAtDeadline([...idle, ...half], started, timeout);
  await slow.sendText("still here");
  assert.equal(await deadline(slow.readText(), "the echo"), "still here");
});

Deno.test("listen() loses nothing a client sends right after the 101", async () => {
  // Deno 2.9 stops reading the socket only once the 101 is written; listen()
  // stops it first, or these first messages would now and then be lost. The
  // server runs in its own process, as the race needs.
  await using natter = await NatterProcess.start(Deno.execPath(), [
    "run",
    "--allow-all",
    MAIN,
  ]);
  const addr = { hostname: "127.0.0.1", port: Number(natter.url.port) };
  const conns = await Promise.all(Array.from({ length: 50 }, async (_, i) => {
    const { conn } = await rawHandshake(addr);
    await conn!.sendText(`first ${i}`);
    return conn!;
  }));
  try {
    await Promise.all(conns.map(async (conn, i) => {
      const seen: string[] = [];
      while (!seen.includes(`first ${i}`)) {
        const text = await deadline(conn.readText(), `client ${i}'s echo`);
        seen.push(...text.split("\n"));
      }
    }));
  } finally {
    for (const conn of conns) conn.abort();
  }
});

Deno.test("listen() closes connections over maxSockets at once and logs once", async () => {
  const log: string[] = [];
  await using listener = listen({
    hostname: "127.0.0.1",
    port: 0,
    maxSockets: 3,
    log: (line) => log.push(line),
  }, () => new Response("hi\n"));
  const held = await openConns(listener.addr, 3);
  await until(() => listener.connections === 3, "3 connections");
  const over = await openConns(listener.addr, 2);
  for (const conn of over) {
    assert.equal(await deadline(readToEnd(conn), "a refused connection"), "");
    conn.close();
  }
  assert.equal(log.length, 1, log.join("\n"));
  assert.match(log[0], /^3 connections open/);
  held.pop()!.close();
  await until(() => listener.connections === 2, "a connection to end");
  const response = await fetch(`http://127.0.0.1:${listener.addr.port}/`);
  assert.equal(await response.text(), "hi\n");
  for (const conn of held) conn.close();
});

Deno.test("listen().shutdown() closes connections still sending their request", async () => {
  const listener = listen(
    { hostname: "127.0.0.1", port: 0 },
    () => new Response("hi\n"),
  );
  const [idle, half] = [
    ...await openConns(listener.addr, 1),
    ...await openConns(listener.addr, 1, "GET / HTTP/1.1\r\n"),
  ];
  await until(() => listener.connections === 2, "2 connections");
  await deadline(listener.shutdown(), "the shutdown");
  for (const conn of [idle, half]) {
    await deadline(readToEnd(conn), "the connection to be closed");
    conn.close();
  }
});

Deno.test("listen() throws AddrInUse for a port that is taken", () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  assert.throws(
    () =>
      listen(
        { hostname: "127.0.0.1", port: taken.addr.port },
        () => new Response(),
      ),
    Deno.errors.AddrInUse,
  );
});

Deno.test("listen() leaves nothing behind of a WebSocket once it has closed", async () => {
  // Deno 2.9 leaves node:net's handle open after taking its stream; unless
  // listen() closes it, every connection ever made keeps 1.4 KiB of heap.
  const rounds = 4;
  const clients = 1000;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--v8-flags=--expose-gc",
      new URL("../../test_util/heap_rounds.ts", import.meta.url).pathname,
      String(rounds),
      String(clients),
    ],
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const heap = new TextDecoder().decode(stdout).trim().split("\n")
    .map((line) => JSON.parse(line).heapUsed as number);
  // After the first rounds warmed up, more rounds add (almost) nothing.
  const perClient = (heap[rounds - 1] - heap[1]) / ((rounds - 2) * clients);
  assert.ok(perClient < 300, `${perClient.toFixed(0)} bytes per client kept`);
});
