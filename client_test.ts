import assert from "node:assert/strict";
import { Client } from "./client.ts";
import { Hub } from "./hub.ts";
import { Intake } from "./intake.ts";
import { deadline, startServer, until } from "./test_util/natter.ts";
import { rawHandshake } from "./test_util/raw_ws.ts";

/** Serves `/ws` with Clients of `hub` built with `options`, and nothing else. */
function serveClients(
  hub: Hub,
  options: ConstructorParameters<typeof Client>[2],
) {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      const { socket, response } = Deno.upgradeWebSocket(req);
      new Client(socket, hub, options);
      return response;
    },
  );
}

Deno.test("Client closes a sender that outruns the Hub and its intake with 1008", async () => {
  // A Hub that takes one broadcast at a time, and room for two waiting.
  await using hub = new Hub({ backlog: 1 });
  const log: string[] = [];
  await using server = serveClients(hub, {
    intake: new Intake(hub.broadcast, { capacity: 2 }),
    log: (line) => log.push(line),
  });
  const { conn } = await rawHandshake(server.addr);
  assert(conn);
  await using _conn = conn;
  await until(() => hub.size === 1, "the client to register");
  for (let i = 0; i < 200; i++) await conn.sendText(`m${i}`);
  const close = await deadline(conn.readClose(), "the close frame");
  assert.deepEqual(close, { code: 1008, reason: "sending too fast" });
  await until(() => hub.size === 0, "the client to unregister");
  assert.deepEqual(log, ["client closed by server: 1008 sending too fast"]);
});

Deno.test("I3: an oversized message behind a burst still gets its 1009", async () => {
  // Deno 2.9 loses a close frame sent while it dispatches a burst: the
  // Client must close after the burst, not in the middle of it.
  await using server = startServer();
  const { conn } = await rawHandshake(server.addr);
  assert(conn);
  await using _conn = conn;
  await until(() => server.hub.size === 1, "the client to register");
  for (let i = 0; i < 20; i++) await conn.sendText(`m${i}`);
  await conn.sendText("x".repeat(513));
  for (let i = 0; i < 20; i++) await conn.sendText(`after ${i}`);
  const close = await deadline(conn.readClose(), "the close frame");
  assert.deepEqual(close, { code: 1009, reason: "message too big" });
});
