import assert from "node:assert/strict";
import { Client } from "./client.ts";
import { Rooms } from "./room/rooms.ts";
import { MemoryStore } from "./store/memory.ts";
import { deadline, startServer, until } from "./test_util/natter.ts";
import { rawHandshake } from "./test_util/raw_ws.ts";
import { V1Client } from "./test_util/v1.ts";

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

/** A store whose history reads fail as a careless store's might: by throwing. */
class ThrowingStore extends MemoryStore {
  override before(): Promise<never> {
    throw new TypeError("Cannot read history: the store broke");
  }
}

Deno.test("Client ends only its own connection, with 1011, when natter fails on it", async () => {
  const lines: string[] = [];
  await using server = startServer({
    store: new ThrowingStore(),
    log: (line) => lines.push(line),
  });
  await using bystander = await V1Client.open(server.wsUrl);
  await bystander.join("r");
  await using victim = await V1Client.open(server.wsUrl);
  await victim.join("r");
  victim.send({ type: "history", room: "r", before: 5, id: 1 });
  const close = await deadline(victim.closed, "the failed connection to close");
  assert.equal(close.code, 1011);
  assert.equal(close.reason, "internal error");
  // Logged once, with its stack, and counted.
  const logged = lines.filter((line) => line.includes("the store broke"));
  assert.equal(logged.length, 1);
  assert.match(logged[0], /ThrowingStore\.before/);
  const metrics = await (await fetch(server.origin + "/metrics")).text();
  assert.match(metrics, /natter_internal_errors_total 1\b/);
  // Everyone else goes on.
  const ack = await bystander.request({ type: "send", room: "r", text: "on" });
  assert.equal(ack.type, "ack");
});

Deno.test("Client closes a connection with 1008 when its token expires", async () => {
  await using server = startServer({
    verifier: () => Promise.resolve({ user: "u1", expires: Date.now() + 700 }),
  });
  await using c = await V1Client.open(`${server.wsUrl}?token=t`);
  const joined = await c.join("r");
  assert.equal(joined.type, "joined");
  const close = await deadline(c.closed, "the close at expiry");
  assert.equal(close.code, 1008);
  assert.equal(close.reason, "token expired");
});
