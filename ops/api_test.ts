/**
 * The server API against input a careless or hostile backend may send: a
 * reason too long for a close frame, path segments that do not decode, and
 * bodies over the limit, on a real server.
 */

import assert from "node:assert/strict";
import { MAX_BODY_BYTES } from "./api.ts";
import { deadline, startServer, until } from "../test_util/natter.ts";
import { V1Client } from "../test_util/v1.ts";
import { HeldStore } from "../test_util/held_store.ts";

const TOKEN = "adm1n";
const AUTH = { authorization: `Bearer ${TOKEN}` };

/**
 * Sends `head` and then `body` on a raw TCP connection, keeping it open,
 * and resolves with the status of the answer.
 */
async function rawStatus(
  addr: Deno.NetAddr,
  head: string,
  body: Uint8Array,
): Promise<number> {
  using conn = await Deno.connect({ hostname: addr.hostname, port: addr.port });
  await conn.write(new TextEncoder().encode(head));
  // The server may answer and stop reading before the body is all sent.
  conn.write(body).catch(() => {});
  const buffer = new Uint8Array(1024);
  let text = "";
  while (!text.includes("\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) break;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
  assert.ok(status, `no status line in ${JSON.stringify(text)}`);
  return Number(status[1]);
}

Deno.test("serveApi() closes a member with a long non-ASCII reason cut to 123 bytes", async () => {
  await using server = startServer({ adminToken: TOKEN });
  await using v1 = await V1Client.open(server.wsUrl);
  const joined = await v1.join("news");
  await until(() => server.members("news") === 1, "the member");
  const response = await fetch(
    `${server.origin}/api/rooms/news/members/${joined.client}`,
    {
      method: "DELETE",
      headers: AUTH,
      body: JSON.stringify({ reason: "é".repeat(100) }),
    },
  );
  await response.body?.cancel();
  assert.equal(response.status, 204);
  const close = await deadline(v1.closed, "the kicked member's close");
  assert.deepEqual([close.code, close.reason], [1008, "é".repeat(61)]);
});

Deno.test("serveApi() answers 400 to a path segment that does not decode", async (t) => {
  await using server = startServer({ adminToken: TOKEN });
  const cases: [string, string][] = [
    ["DELETE", "/api/rooms/lobby/members/%E0%A4%A"],
    ["DELETE", "/api/rooms/%E0%A4%A/members/x"],
    ["GET", "/api/rooms/%FF/history"],
    ["POST", "/api/rooms/%/messages"],
  ];
  for (const [method, path] of cases) {
    await t.step(`${method} ${path}`, async () => {
      const response = await fetch(server.origin + path, {
        method,
        headers: AUTH,
      });
      const body = await response.json();
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(body.error, /Cannot decode the path segment "%/);
    });
  }
  await t.step("a room that decodes to a valid name is that room", async () => {
    const response = await fetch(
      `${server.origin}/api/rooms/%6Cobby/members/nobody`,
      { method: "DELETE", headers: AUTH },
    );
    const body = await response.json();
    assert.equal(response.status, 404);
    assert.equal(body.error, `No member "nobody" in room "lobby"`);
  });
});

Deno.test("serveApi() answers 413 as soon as a body passes the limit", async (t) => {
  await using server = startServer({ adminToken: TOKEN });
  const over = new Uint8Array(MAX_BODY_BYTES + 1).fill(0x20);
  const post = "POST /api/rooms/lobby/messages HTTP/1.1\r\nhost: x\r\n";
  await t.step("chunked, and the body never ends", async () => {
    const size = over.byteLength.toString(16);
    const head = post +
      `authorization: Bearer ${TOKEN}\r\n` +
      `transfer-encoding: chunked\r\n\r\n${size}\r\n`;
    const status = await deadline(
      rawStatus(server.addr, head, over),
      "413 to an endless chunked body",
    );
    assert.equal(status, 413);
  });
  await t.step("Content-Length above the limit, little sent", async () => {
    const head = post + `authorization: Bearer ${TOKEN}\r\n` +
      `content-length: 100000000\r\n\r\n`;
    const status = await deadline(
      rawStatus(server.addr, head, new Uint8Array(10)),
      "413 to a body announced too big",
    );
    assert.equal(status, 413);
  });
  await t.step("exactly the limit is read", async () => {
    const body = `{"text":""}`.padEnd(MAX_BODY_BYTES, " ");
    const response = await fetch(`${server.origin}/api/rooms/lobby/messages`, {
      method: "POST",
      headers: AUTH,
      body,
    });
    await response.body?.cancel();
    assert.equal(response.status, 200);
  });
});

Deno.test("serveApi() posts through the room's intake, which refuses a flood with 503", async () => {
  const store = new HeldStore();
  await using server = startServer({
    adminToken: TOKEN,
    store,
    backlog: 1,
    maxWaiting: 1,
  });
  const post = (text: string) =>
    fetch(`${server.origin}/api/rooms/busy/messages`, {
      method: "POST",
      headers: AUTH,
      body: JSON.stringify({ text }),
    });
  // The store holds the Hub's turn: one post in it, one in the channel, one
  // waiting in the intake; the fourth is more than may wait.
  const posts = ["a", "b", "c", "d"].map(post);
  try {
    const first = await deadline(
      Promise.race(posts),
      "an answer to the flood",
      10_000,
    );
    await first.body?.cancel();
    assert.equal(first.status, 503);
  } finally {
    // Whatever failed, the Hub's turn goes on, so the server can close.
    store.release();
  }
  const statuses = await deadline(
    Promise.all(posts.map(async (p) => {
      const response = await p;
      await response.body?.cancel();
      return response.status;
    })),
    "every post answered once the store is back",
  );
  assert.deepEqual(statuses.filter((s) => s === 503).length, 1, `${statuses}`);
  assert.deepEqual(statuses.filter((s) => s === 200).length, 3, `${statuses}`);
});
