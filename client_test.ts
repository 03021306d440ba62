import assert from "node:assert/strict";
import { Client } from "./client.ts";
import { Rooms } from "./rooms.ts";
import { MemoryStore } from "./store/memory.ts";
import { deadline, startServer, until } from "./test_util/natter.ts";
import { rawHandshake } from "./test_util/raw_ws.ts";

/** Serves `/ws` with plain Clients of the lobby built with `options`. */
function serveClients(
  rooms: Rooms,
  options: ConstructorParameters<typeof Client>[2],
) {
  let id = 0;
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      const { socket, response } = Deno.upgradeWebSocket(req);
      new Client(socket, { id: `c${++id}`, rooms, room: "lobby" }, options);
      return response;
    },
  );
}

Deno.test("Client closes a sender that outruns the Hub and its intake with 1008", async () => {
  // A Hub that takes one broadcast at a time, and room for two waiting.
  await using rooms = new Rooms(new MemoryStore(), {
    backlog: 1,
    maxWaiting: 2,
  });
  const log: string[] = [];
  await using server = serveClients(rooms, {
    log: (line) => log.push(line),
  });
  const { conn } = await rawHandshake(server.addr);
  assert(conn);
  await using _conn = conn;
  const size = () => rooms.find("lobby")?.size ?? 0;
  await until(() => size() === 1, "the client to register");
  for (let i = 0; i < 200; i++) await conn.sendText(`m${i}`);
  const close = await deadline(conn.readClose(), "the close frame");
  assert.deepEqual(close, { code: 1008, reason: "sending too fast" });
  await until(() => size() === 0, "the client to unregister");
  assert.deepEqual(log, ["client closed by server: 1008 sending too fast"]);
});

Deno.test("I3: an oversized message behind a burst still gets its 1009", async () => {
  // Deno 2.9 loses a close frame sent while it dispatches a burst: the
  // Client must close after the burst, not in the middle of it.
  await using server = startServer();
  const { conn } = await rawHandshake(server.addr);
  assert(conn);
  await using _conn = conn;
  await until(() => server.members() === 1, "the client to register");
  for (let i = 0; i < 20; i++) await conn.sendText(`m${i}`);
  await conn.sendText("x".repeat(513));
  for (let i = 0; i < 20; i++) await conn.sendText(`after ${i}`);
  const close = await deadline(conn.readClose(), "the close frame");
  assert.deepEqual(close, { code: 1009, reason: "message too big" });
});
