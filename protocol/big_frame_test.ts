/**
 * One oversized frame against a live server: Deno 2.9 reads a text frame of
 * up to 64 MiB whole before natter sees it, so natter can only answer it
 * afterwards. Whatever the answer, it must end with that connection alone:
 * the server stays up and every other client goes on chatting.
 */

import assert from "node:assert/strict";
import { ChatClient, deadline, startServer } from "../test_util/natter.ts";
import { Opcode, rawHandshake } from "../test_util/raw_ws.ts";
import { V1Client } from "../test_util/v1.ts";

const MiB = 1024 * 1024;
/** Big enough to stand for any frame Deno accepts, small enough to be quick. */
const BIG = 40 * MiB;

/**
 * One masked text frame of `size` bytes of "x". Its mask key is zero, so the
 * payload goes out as it is, without a pass over 40 MiB to mask it.
 */
function bigTextFrame(size: number): Uint8Array {
  const frame = new Uint8Array(14 + size).fill(0x78);
  frame[0] = 0x80 | Opcode.Text;
  frame[1] = 0x80 | 127;
  new DataView(frame.buffer).setBigUint64(2, BigInt(size));
  frame.fill(0, 10, 14);
  return frame;
}

/** The server still answers and still relays a message between two clients. */
async function assertStillChats(server: ReturnType<typeof startServer>) {
  const health = await fetch(`${server.origin}/healthz`);
  await health.body?.cancel();
  assert.equal(health.status, 200);
  await using a = await ChatClient.open(server.wsUrl);
  await using b = await ChatClient.open(server.wsUrl);
  // b may register after a sends: a sends until b has something.
  const sent = (async () => {
    for (let i = 0; b.messages.length === 0 && i < 100; i++) {
      a.send("still here");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  assert.equal((await b.waitForMessages(1))[0], "still here");
  await sent;
}

Deno.test("Client closes a plain connection that sends a 40 MiB frame with 1009, and no other", async () => {
  await using server = startServer();
  await using bystander = await ChatClient.open(server.wsUrl);
  const { status, conn } = await rawHandshake(server.addr);
  assert.equal(status, 101);
  assert(conn);
  await using _ = conn;
  await deadline(conn.sendRaw(bigTextFrame(BIG)), "the 40 MiB frame to go");
  const close = await deadline(conn.readClose(), "the close after 40 MiB");
  assert.equal(close.code, 1009);
  assert.equal(close.reason, "message too big");
  assert.equal(bystander.socket.readyState, WebSocket.OPEN);
  await assertStillChats(server);
});

Deno.test("Session closes a natter.v1 connection that sends a 40 MiB frame with 1009, and no other", async () => {
  await using server = startServer();
  const { status, conn } = await rawHandshake(server.addr, {
    headers: { "sec-websocket-protocol": "natter.v1" },
  });
  assert.equal(status, 101);
  assert(conn);
  await using _ = conn;
  await deadline(conn.sendRaw(bigTextFrame(BIG)), "the 40 MiB frame to go");
  // Far past any command: no chance to send another.
  const close = await deadline(conn.readClose(), "the close after 40 MiB");
  assert.equal(close.code, 1009);
  await using v1 = await V1Client.open(server.wsUrl);
  assert.equal((await v1.join("after")).type, "joined");
  await assertStillChats(server);
});

Deno.test("Session answers a frame a little past the command limit with too_big and keeps the connection", async () => {
  await using server = startServer();
  await using v1 = await V1Client.open(server.wsUrl);
  v1.socket.send("x".repeat(5000));
  const error = await v1.waitFor((e) => e.type === "error", "too_big");
  assert.equal(error.code, "too_big");
  assert.equal((await v1.join("still")).type, "joined");
});
