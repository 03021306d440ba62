import assert from "node:assert/strict";
import { Admission, defaultLimits, RESERVED_DESCRIPTORS } from "./admission.ts";
import {
  ChatClient,
  deadline,
  openClients,
  startServer,
  until,
} from "../../test_util/natter.ts";

Deno.test("defaultLimits() keeps descriptors for the process and room for refusals", async (t) => {
  await t.step("ulimit -n 20000", () => {
    assert.deepEqual(defaultLimits(19978), { sockets: 19914, clients: 18890 });
  });
  await t.step("ulimit -n 1024", () => {
    assert.deepEqual(defaultLimits(1000), { sockets: 936, clients: 842 });
  });
  await t.step("ulimit -n 256", () => {
    assert.deepEqual(defaultLimits(234), { sockets: 170, clients: 153 });
  });
  await t.step("almost nothing free still admits one client", () => {
    const limits = defaultLimits(RESERVED_DESCRIPTORS);
    assert.ok(limits.clients >= 1 && limits.clients < limits.sockets);
  });
});

Deno.test("Admission.admits() refuses at the cap and logs once per episode", () => {
  const log: string[] = [];
  const admission = new Admission(20, {
    full: "full",
    log: (l) => log.push(l),
  });
  const items = Array.from({ length: 20 }, () => ({}));
  for (const item of items) {
    assert.ok(admission.admits());
    admission.add(item);
  }
  assert.equal(admission.size, 20);
  assert.equal(admission.admits(), false);
  assert.equal(admission.admits(), false);
  assert.deepEqual(log, ["full"]);
  // One leaves and another takes its place: the same episode.
  admission.release(items[0]);
  admission.release(items[0]);
  assert.equal(admission.size, 19);
  assert.ok(admission.admits());
  admission.add(items[0]);
  assert.equal(admission.admits(), false);
  assert.deepEqual(log, ["full"]);
  // A fifth below the cap ends the episode; the next refusal logs again.
  for (const item of items.slice(0, 4)) admission.release(item);
  for (const item of items.slice(0, 4)) admission.add(item);
  assert.equal(admission.admits(), false);
  assert.deepEqual(log, ["full", "full"]);
});

Deno.test("Admission releases a WebSocket when it closes", async () => {
  const admission = new Admission(1);
  await using server = Deno.serve({ port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    admission.add(socket);
    socket.onopen = () => socket.close(1000);
    return response;
  });
  const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
  await deadline(
    new Promise((resolve) => client.onclose = resolve),
    "the socket to close",
  );
  for (let i = 0; i < 100 && admission.size > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(admission.size, 0);
});

Deno.test("Admission() refuses a cap below 1", () => {
  assert.throws(() => new Admission(0), RangeError);
  assert.throws(() => new Admission(NaN), /"NaN"/);
});

Deno.test("serve() answers 503 over maxConnections and closes at once", async () => {
  const log: string[] = [];
  await using server = startServer({
    maxConnections: 2,
    log: (line) => log.push(line),
  });
  const clients = await openClients(server, 2);
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.addr.port,
  });
  await conn.write(
    new TextEncoder().encode(
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n" +
        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    ),
  );
  // The whole answer, then the end of the connection: nothing else waits.
  const answer = await deadline(new Response(conn.readable).text(), "EOF");
  assert.match(answer, /^HTTP\/1\.1 503 /);
  assert.match(answer, /connection: close/i);
  assert.equal(log.length, 1, log.join("\n"));
  assert.match(log[0], /^2 clients connected/);
  // One leaves: the next one gets in.
  await clients[0][Symbol.asyncDispose]();
  await until(() => server.members() === 1, "the client to leave");
  await using next = await ChatClient.open(server.wsUrl);
  next.send("in");
  await next.waitForMessages(1);
  await clients[1][Symbol.asyncDispose]();
});

Deno.test("defaultLimits() divides the client cap by the descriptors a client holds", () => {
  const plain = defaultLimits(19978);
  const tls = defaultLimits(19978, 3);
  assert.equal(tls.sockets, plain.sockets);
  assert.equal(tls.clients, Math.floor(plain.clients / 3));
  assert.ok(3 * tls.clients <= tls.sockets);
});
