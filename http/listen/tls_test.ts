/**
 * The listener over TLS: the same request deadline, socket cap and
 * WebSockets as over plain HTTP, a WebSocket relayed through the loopback.
 *
 * @module
 */

import assert from "node:assert/strict";
import { listen, type RequestInfo, upgradeWebSocket } from "./listen.ts";
import {
  makeTestCertificate,
  type TestCertificate,
} from "./test_certificate.ts";
import { deadline, startServer, until } from "../../test_util/natter.ts";
import { RawWebSocket } from "../../test_util/raw_ws.ts";
import {
  assertClosedAtDeadline,
  readToEnd,
} from "../../test_util/unfinished.ts";

const encoder = new TextEncoder();

let certificate: TestCertificate | undefined;
/** One throwaway certificate for the whole file. */
async function tlsFiles(): Promise<TestCertificate> {
  certificate ??= await makeTestCertificate();
  return certificate;
}

/**
 * A WebSocket handshake over TLS to `port`, sent in two halves `pause` ms
 * apart (after waiting `pause` ms first) when `pause` is set.
 */
async function wssHandshake(
  port: number,
  options: { pause?: number } = {},
): Promise<{ status: number; conn: Deno.TlsConn; ws: RawWebSocket }> {
  const { ca } = await tlsFiles();
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port,
    caCerts: [ca],
  });
  const bytes = encoder.encode(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
  );
  const pause = () => new Promise((r) => setTimeout(r, options.pause ?? 0));
  if (options.pause) {
    await pause();
    await conn.handshake();
    await conn.write(bytes.subarray(0, bytes.length >> 1));
    await pause();
    await conn.write(bytes.subarray(bytes.length >> 1));
  } else {
    await conn.write(bytes);
  }
  // The server says nothing after its 101 until spoken to: one read is the head.
  let head = "";
  const buffer = new Uint8Array(4096);
  while (!head.includes("\r\n\r\n")) {
    const n = await deadline(conn.read(buffer), "the handshake's answer");
    if (n === null) break;
    head += new TextDecoder().decode(buffer.subarray(0, n));
  }
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  return { status, conn, ws: new RawWebSocket(conn) };
}

Deno.test("listen() over TLS closes connections that do not complete a request in time, not a slow one that does", async () => {
  const { cert, key } = await tlsFiles();
  const timeout = 1500;
  await using server = startServer({ cert, key, requestTimeout: timeout });
  const { port } = server.addr;
  const started = performance.now();
  // Silent TCP (no TLS handshake), and TLS with half a request.
  const idle = await Promise.all(
    Array.from(
      { length: 10 },
      () => Deno.connect({ hostname: "127.0.0.1", port }),
    ),
  );
  const half = await Promise.all(Array.from({ length: 10 }, async () => {
    const conn = await Deno.connectTls({
      hostname: "127.0.0.1",
      port,
      caCerts: [(await tlsFiles()).ca],
    });
    await conn.write(encoder.encode("GET /ws HTTP/1.1\r\nHost: "));
    return conn;
  }));
  const slow = await wssHandshake(port, { pause: timeout / 5 });
  assert.equal(slow.status, 101);
  await slow.ws.sendText("slow");
  assert.equal(await deadline(slow.ws.readText(), "the echo"), "slow");
  await assertClosedAtDeadline([...idle, ...half], started, timeout);
  await slow.ws.sendText("still here");
  assert.equal(await deadline(slow.ws.readText(), "the echo"), "still here");
  slow.ws.abort();
});

Deno.test("listen() over TLS closes connections over maxSockets at once and logs once", async () => {
  const { ca, cert, key } = await tlsFiles();
  const log: string[] = [];
  await using listener = listen({
    hostname: "127.0.0.1",
    port: 0,
    cert,
    key,
    maxSockets: 3,
    log: (line) => log.push(line),
  }, () => new Response("hi\n"));
  const { port } = listener.addr;
  const connect = () => Deno.connect({ hostname: "127.0.0.1", port });
  const held = await Promise.all([connect(), connect(), connect()]);
  await until(() => listener.connections === 3, "3 connections");
  const over = await Promise.all([connect(), connect()]);
  for (const conn of over) {
    assert.equal(await deadline(readToEnd(conn), "a refused connection"), "");
    conn.close();
  }
  assert.equal(log.length, 1, log.join("\n"));
  assert.match(log[0], /^3 connections open/);
  held.pop()!.close();
  await until(() => listener.connections === 2, "a connection to end");
  const client = Deno.createHttpClient({ caCerts: [ca] });
  const response = await fetch(`https://127.0.0.1:${port}/`, { client });
  assert.equal(await response.text(), "hi\n");
  client.close();
  for (const conn of held) conn.close();
});

Deno.test("listen() over TLS relays a WebSocket, tells the handler the real peer and counts three descriptors until it closes", async () => {
  const { cert, key } = await tlsFiles();
  const peers: RequestInfo[] = [];
  await using listener = listen(
    { hostname: "127.0.0.1", port: 0, cert, key },
    (request, info) => {
      peers.push(info);
      const { socket, response } = upgradeWebSocket(request);
      socket.onmessage = (event) => socket.send(`echo ${event.data}`);
      return response;
    },
  );
  const { status, conn, ws } = await wssHandshake(listener.addr.port);
  assert.equal(status, 101);
  assert.deepEqual(peers.map((p) => p.remoteAddr), [{ ...conn.localAddr }]);
  await ws.sendText("hi");
  assert.equal(await deadline(ws.readText(), "the echo"), "echo hi");
  // The TLS connection and both ends of the loopback.
  assert.equal(listener.connections, 3);
  await ws.close(1000);
  ws.abort();
  await until(
    () => listener.connections === 0,
    "every descriptor to be let go",
  );
});

Deno.test("listen() over TLS lets Deno's bufferedAmount grow when the peer stops reading", async () => {
  const { cert, key } = await tlsFiles();
  const sockets = Promise.withResolvers<WebSocket>();
  await using listener = listen(
    { hostname: "127.0.0.1", port: 0, cert, key },
    (request) => {
      const { socket, response } = upgradeWebSocket(request);
      socket.onopen = () => sockets.resolve(socket);
      return response;
    },
  );
  const { status, ws } = await wssHandshake(listener.addr.port);
  assert.equal(status, 101);
  const socket = await deadline(sockets.promise, "the socket to open");
  // The client reads nothing. Without backpressure through the relay, the
  // bytes would pile up in the process and bufferedAmount stay near 0.
  const chunk = new Uint8Array(64 * 1024);
  let sent = 0;
  while (socket.bufferedAmount < 1024 * 1024 && sent < 256) {
    socket.send(chunk);
    sent++;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assert.ok(
    socket.bufferedAmount >= 1024 * 1024,
    `bufferedAmount ${socket.bufferedAmount} after ${sent} chunks of 64 KiB`,
  );
  ws.abort();
  await until(() => listener.connections === 0, "the connection to end");
});

Deno.test("listen() over TLS: the test certificate's directory is removed", async () => {
  if (certificate) await Deno.remove(certificate.dir, { recursive: true });
});
