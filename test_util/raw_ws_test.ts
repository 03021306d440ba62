import assert from "node:assert/strict";
import { Opcode, rawHandshake } from "./raw_ws.ts";

const encoder = new TextEncoder();
const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** Starts an echo server on 127.0.0.1:0; "/close" closes with 4000 "bye", other paths 404. */
function startEchoServer() {
  const closed: Promise<void>[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      const { pathname } = new URL(req.url);
      if (pathname !== "/ws" && pathname !== "/close") {
        return new Response("not found", { status: 404 });
      }
      const { socket, response } = Deno.upgradeWebSocket(req);
      closed.push(
        new Promise((resolve) =>
          socket.addEventListener("close", () => resolve())
        ),
      );
      if (pathname === "/close") {
        socket.onopen = () => socket.close(4000, "bye");
      } else {
        socket.onmessage = (event) => socket.send(event.data);
      }
      return response;
    },
  );
  return {
    addr: server.addr,
    async [Symbol.asyncDispose]() {
      await Promise.all(closed);
      await server.shutdown();
    },
  };
}

async function expectedAccept(key: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-1",
    encoder.encode(key + WS_GUID),
  );
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

Deno.test("rawHandshake() talks to a Deno.serve WebSocket server", async (t) => {
  await t.step("completes the handshake and echoes a text frame", async () => {
    await using server = startEchoServer();
    const key = btoa("0123456789abcdef");
    const { status, headers, conn } = await rawHandshake(server.addr, {
      headers: { "Sec-WebSocket-Key": key },
    });
    await using ws = conn;
    assert.equal(status, 101);
    assert.equal(headers.get("upgrade")?.toLowerCase(), "websocket");
    assert.equal(
      headers.get("sec-websocket-accept"),
      await expectedAccept(key),
    );
    assert.ok(ws);
    await ws.sendText("hello, wire");
    assert.equal(await ws.readText(), "hello, wire");
  });

  await t.step("round-trips 16-bit and 64-bit payload lengths", async () => {
    await using server = startEchoServer();
    const { conn } = await rawHandshake(server.addr);
    await using ws = conn;
    assert.ok(ws);
    for (const size of [125, 126, 300, 65535, 65536, 70000]) {
      const text = "x".repeat(size - 1) + "!";
      await ws.sendText(text);
      const frame = await ws.readFrame();
      assert.ok(frame);
      assert.equal(frame.fin, true);
      assert.equal(frame.opcode, Opcode.Text);
      assert.equal(frame.payload.length, size);
      assert.equal(new TextDecoder().decode(frame.payload), text);
    }
  });

  await t.step(
    "returns the status and no conn for a non-101 response",
    async () => {
      await using server = startEchoServer();
      const result = await rawHandshake(server.addr, { path: "/nope" });
      assert.equal(result.status, 404);
      assert.equal(result.conn, undefined);
      assert.ok(result.headers.has("content-length"));
    },
  );

  await t.step(
    "readClose() returns the server's close code and reason",
    async () => {
      await using server = startEchoServer();
      const { conn } = await rawHandshake(server.addr, { path: "/close" });
      await using ws = conn;
      assert.ok(ws);
      assert.deepEqual(await ws.readClose(), { code: 4000, reason: "bye" });
      await ws.close(4000, "bye");
      assert.equal(await ws.readFrame(), null);
    },
  );

  await t.step(
    "readText() rejects on a close frame, naming code and reason",
    async () => {
      await using server = startEchoServer();
      const { conn } = await rawHandshake(server.addr, { path: "/close" });
      await using ws = conn;
      assert.ok(ws);
      await assert.rejects(ws.readText(), /code 4000, reason "bye"/);
    },
  );

  await t.step("readFrame() aborted by a signal loses no bytes", async () => {
    await using server = startEchoServer();
    const { conn } = await rawHandshake(server.addr);
    await using ws = conn;
    assert.ok(ws);
    const controller = new AbortController();
    const read = ws.readFrame({ signal: controller.signal });
    controller.abort(new Error("gave up"));
    await assert.rejects(read, /gave up/);
    await ws.sendText("still here");
    assert.equal(await ws.readText(), "still here");
  });
});

Deno.test("rawHandshake() keeps frame bytes that arrive with the 101 response", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serverSide = (async () => {
    using conn = await listener.accept();
    const buf = new Uint8Array(4096);
    let request = "";
    while (!request.includes("\r\n\r\n")) {
      const n = await conn.read(buf);
      if (n === null) throw new Error("client went away");
      request += new TextDecoder().decode(buf.subarray(0, n));
    }
    // One write: the response head, a 7-bit text frame and a 16-bit binary frame.
    const big = new Uint8Array(200).fill(7);
    const bytes = new Uint8Array([
      ...encoder.encode(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" +
          "Connection: Upgrade\r\nSec-WebSocket-Accept: whatever\r\n\r\n",
      ),
      0x81,
      2,
      ...encoder.encode("hi"),
      0x82,
      126,
      0,
      200,
      ...big,
    ]);
    let offset = 0;
    while (offset < bytes.length) {
      offset += await conn.write(bytes.subarray(offset));
    }
    return request;
  })();
  const { status, conn } = await rawHandshake(
    listener.addr as Deno.NetAddr,
    {
      path: "/x",
      method: "PUT",
      headers: { "X-Custom": "1", "Connection": "" },
    },
  );
  const request = await serverSide;
  await using ws = conn;
  assert.equal(status, 101);
  assert.ok(ws);
  assert.match(request, /^PUT \/x HTTP\/1\.1\r\n/);
  assert.match(request, /\r\nX-Custom: 1\r\n/);
  assert.doesNotMatch(request, /\r\nConnection:/i);
  assert.equal(await ws.readText(), "hi");
  const frame = await ws.readFrame();
  assert.ok(frame);
  assert.equal(frame.opcode, Opcode.Binary);
  assert.deepEqual(frame.payload, new Uint8Array(200).fill(7));
  assert.equal(await ws.readFrame(), null);
  await assert.rejects(ws.readClose(), /without a close frame/);
});
