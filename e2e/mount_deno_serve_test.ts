/**
 * natter mounted in a bare `Deno.serve` next to the host's own routes
 * (`mod.ts`): a plain client and a natter.v1 client chat through it, the
 * server API's operations work as plain functions, what lives above the
 * listener (the caps on clients and per address) holds, the host's routes
 * are untouched, and `close()` ends every client, bounded even when a peer
 * never answers.
 */

import assert from "node:assert/strict";
import { createNatter, type NatterApp, type NatterOptions } from "../mod.ts";
import { ChatClient, deadline, until } from "../test_util/natter.ts";
import { rawHandshake } from "../test_util/raw_ws.ts";
import { V1Client } from "../test_util/v1.ts";

/** A host app on a free loopback port: `/hello` is its own, the rest natter's. */
function host(natter: NatterApp) {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request, info) => {
      if (new URL(request.url).pathname === "/hello") {
        return new Response("hello from the host\n");
      }
      return natter.fetch(request, info);
    },
  );
  return {
    addr: server.addr,
    origin: `http://127.0.0.1:${server.addr.port}`,
    ws: `ws://127.0.0.1:${server.addr.port}/ws`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** natter and its host, disposed host first (the host waits for nothing). */
function mounted(options: NatterOptions = {}) {
  const natter = createNatter(options);
  const server = host(natter);
  return {
    natter,
    server,
    async [Symbol.asyncDispose]() {
      await natter.close();
      await server[Symbol.asyncDispose]();
    },
  };
}

async function get(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  return { status: response.status, text: await response.text() };
}

Deno.test("createNatter() in a bare Deno.serve: both kinds of client chat through it, the host's routes are its own", async (t) => {
  await using mount = mounted({ adminToken: "adm1n" });
  const { natter, server } = mount;
  await using plain = await ChatClient.open(server.ws);
  await using v1 = await V1Client.open(server.ws);
  const joined = await v1.join("lobby", { nick: "ada" });
  await until(() => natter.members() === 2, "both members in the lobby");

  await t.step("the host's route answers as the host said", async () => {
    assert.deepEqual(await get(server.origin + "/hello"), {
      status: 200,
      text: "hello from the host\n",
    });
  });

  await t.step("a plain and a natter.v1 client chat", async () => {
    plain.send("hi from plain");
    const heard = await v1.waitFor(
      (e) => e.type === "message" && e.text === "hi from plain",
      "the plain client's message",
    );
    assert.equal(heard.from.nick, null);
    const ack = await v1.request({
      type: "send",
      room: "lobby",
      text: "hi from ada",
    });
    assert.equal(ack.type, "ack");
    assert.deepEqual(await plain.waitForMessages(2), [
      "hi from plain",
      "hi from ada",
    ]);
  });

  await t.step(
    "the page, the operations endpoints and the API are natter's",
    async () => {
      const page = await get(server.origin + "/r/deno");
      assert.equal(page.status, 200);
      assert.match(page.text, /<meta name="natter-base" content="">/);
      assert.deepEqual(await get(server.origin + "/healthz"), {
        status: 200,
        text: "ok\n",
      });
      const rooms = await fetch(server.origin + "/api/rooms", {
        headers: { authorization: "Bearer adm1n" },
      });
      assert.deepEqual(await rooms.json(), {
        rooms: [{ room: "lobby", members: 2 }],
      });
      assert.equal((await get(server.origin + "/nope")).status, 404);
    },
  );

  await t.step("the API's operations as plain functions", async () => {
    const offset = await natter.publish("lobby", "from the backend", {
      nick: "bot",
    });
    assert.equal(offset, 3);
    assert.deepEqual((await plain.waitForMessages(3))[2], "from the backend");
    assert.deepEqual(await natter.listRooms(), [{ room: "lobby", members: 2 }]);
    const history = await natter.history("lobby", { limit: 2 });
    assert.deepEqual(history?.map((m) => [m.offset, m.text, m.from.nick]), [
      [2, "hi from ada", "ada"],
      [3, "from the backend", "bot"],
    ]);
    assert.equal(await natter.history("nowhere"), undefined);
    assert.equal(
      await natter.removeMember("lobby", joined.client, { reason: "bye" }),
      true,
    );
    const close = await deadline(v1.closed, "the removed member's close");
    assert.deepEqual([close.code, close.reason], [1008, "bye"]);
    assert.equal(await natter.removeMember("lobby", joined.client), false);
  });

  await t.step(
    "the operations refuse bad input with the error that fits",
    async () => {
      await assert.rejects(natter.publish("no room!", "x"), TypeError);
      await assert.rejects(
        natter.publish("lobby", "x".repeat(513)),
        RangeError,
      );
      await assert.rejects(
        natter.publish("lobby", "x", { nick: "\u0007" }),
        TypeError,
      );
      await assert.rejects(natter.history("lobby", { limit: -1 }), RangeError);
      await assert.rejects(natter.removeMember("../api", "x"), TypeError);
    },
  );

  await t.step(
    "close() ends every client and refuses new ones; the host goes on",
    async () => {
      assert.equal(natter.ready, true);
      assert.equal(await natter.close(), true);
      const close = await deadline(plain.closed, "the plain client's close");
      assert.deepEqual([close.code, close.reason], [
        1001,
        "server shutting down",
      ]);
      assert.equal(natter.ready, false);
      assert.equal((await get(server.origin + "/readyz")).status, 503);
      // natter.v1 too, which joins no room at the upgrade.
      for (const protocol of ["", "natter.v1"]) {
        const late = await rawHandshake(server.addr, {
          headers: { "Sec-WebSocket-Protocol": protocol },
        });
        late.conn?.abort();
        assert.equal(late.status, 503, protocol);
      }
      assert.equal((await get(server.origin + "/hello")).status, 200);
    },
  );
});

Deno.test("createNatter() keeps the caps above the listener: clients, and clients per address", async (t) => {
  await t.step("maxConnections: the upgrade over it gets 503", async () => {
    await using mount = mounted({ maxConnections: 2 });
    await using a = await ChatClient.open(mount.server.ws);
    await using b = await ChatClient.open(mount.server.ws);
    const over = await rawHandshake(mount.server.addr);
    assert.equal(over.status, 503);
    a.send("still here");
    assert.deepEqual(await b.waitForMessages(1), ["still here"]);
  });
  await t.step("maxConnectionsPerIp: counted on info.remoteAddr", async () => {
    await using mount = mounted({ maxConnectionsPerIp: 1 });
    await using a = await ChatClient.open(mount.server.ws);
    const over = await rawHandshake(mount.server.addr);
    assert.equal(over.status, 429);
    await a[Symbol.asyncDispose]();
    await until(() => mount.natter.members() === 0, "the first to leave");
    const after = await rawHandshake(mount.server.addr);
    assert.equal(after.status, 101);
    await after.conn?.close(1000);
    after.conn?.abort();
  });
  await t.step(
    "a flood of upgrades past the cap: every one answered, none served past it",
    async () => {
      await using mount = mounted({ maxConnections: 5 });
      const results = await Promise.all(
        Array.from({ length: 40 }, () => rawHandshake(mount.server.addr)),
      );
      const statuses = results.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 101).length, 5, `${statuses}`);
      assert.equal(statuses.filter((s) => s === 503).length, 35, `${statuses}`);
      for (const r of results) r.conn?.abort();
    },
  );
});

Deno.test("createNatter() close() gives up on a peer that never answers, at the shutdown timeout", async () => {
  await using mount = mounted({ shutdownTimeout: 300 });
  const stalled = await rawHandshake(mount.server.addr);
  assert.equal(stalled.status, 101);
  await until(() => mount.natter.members() === 1, "the stalled member");
  try {
    // It never reads, so it never answers natter's close.
    const clean = await deadline(mount.natter.close(), "close() to give up");
    assert.equal(clean, false);
  } finally {
    stalled.conn?.abort();
  }
});

Deno.test("createNatter() refuses an invalid prefix at creation, with one clear error", async (t) => {
  for (const prefix of ["chat", "/chat/", "/", "/chat/../api", "//chat"]) {
    await t.step(JSON.stringify(prefix), () => {
      assert.throws(
        () => createNatter({ prefix }),
        (error: Error) =>
          error instanceof TypeError &&
          error.message.startsWith(
            `Cannot mount natter at ${JSON.stringify(prefix)}: `,
          ),
      );
    });
  }
});

Deno.test("createNatter() under /chat, handed every request: no path outside the prefix reaches it", async (t) => {
  await using mount = mounted({ prefix: "/chat", adminToken: "adm1n" });
  const { addr } = mount.server;
  const auth = { Authorization: "Bearer adm1n" };
  /** The status of `path` exactly as written, asked as an upgrade or not. */
  const statusOf = async (path: string, upgrade: boolean) => {
    const plain = {
      Upgrade: "",
      Connection: "",
      "Sec-WebSocket-Key": "",
      "Sec-WebSocket-Version": "",
    };
    const result = await rawHandshake(addr, {
      path,
      headers: { ...(upgrade ? {} : plain), ...auth },
    });
    result.conn?.abort();
    return result.status;
  };
  await t.step("inside: the API and a WebSocket", async () => {
    assert.equal(await statusOf("/chat/api/rooms", false), 200);
    assert.equal(await statusOf("/chat/ws", true), 101);
  });
  const outside: [string, boolean][] = [
    ["/api/rooms", false],
    ["/ws", true],
    ["/healthz", false],
    ["/", false],
    ["/chat/../api/rooms", false],
    ["/chat/%2e%2e/api/rooms", false],
    ["/chat/%2E%2E/ws", true],
    ["/chat/./../ws", true],
    ["/chat/..%2Fapi/rooms", false],
    ["/chat%2Fws", true],
    ["/chat%2fapi/rooms", false],
    ["/chatX/ws", true],
    ["/chat-x/api/rooms", false],
    ["/Chat/ws", true],
    ["/chat/ws%2F..%2F..%2Fapi", true],
    ["/chat/ws/..%2Flobby", true],
    ["/chat/%2e%2e%2fws", true],
    ["/chat/ws/" + "a".repeat(8000), true],
  ];
  for (const [path, upgrade] of outside) {
    await t.step(path.slice(0, 40), async () => {
      assert.equal(await statusOf(path, upgrade), 404, path);
    });
  }
  await until(() => mount.natter.members() === 0, "the inside socket to go");
});
