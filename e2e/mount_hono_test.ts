/**
 * natter mounted under `/chat` in a Hono app (`mod.ts`): the host's routes
 * and natter's side by side, both kinds of client chatting under the
 * prefix, the page at `/chat/` pointing its WebSocket at `/chat/ws`, the
 * operations endpoints and the API under the prefix only, and paths that
 * try to step out of the prefix, which reach nothing of natter's.
 *
 * What works in Hono: a route for `/chat/*` that hands natter the request
 * Hono was given, `c.req.raw`, and `c.env`, which on Deno is the
 * connection's info. Hono's `mount()` by default rebuilds the request with
 * the prefix cut off the path; natter routes on the full path, so it then
 * answers 404 (shown below): with `mount()`, pass `replaceRequest: false`.
 */

import assert from "node:assert/strict";
// Test-only: deno.test.json maps it, so `deno task start` never fetches it.
import { Hono } from "hono";
import { mount } from "hono/mount";
import { createNatter } from "../mod.ts";
import { ChatClient, deadline, until } from "../test_util/natter.ts";
import { rawHandshake } from "../test_util/raw_ws.ts";
import { V1Client } from "../test_util/v1.ts";

const TOKEN = "adm1n";

/** natter under `/chat` of a Hono app on a free loopback port. */
function honoHost() {
  const natter = createNatter({ prefix: "/chat", adminToken: TOKEN });
  // A second natter, mounted with mount() the way that keeps the request.
  const second = createNatter({ prefix: "/second" });
  // On Deno, Hono's env is the connection's info, which natter needs.
  const app = new Hono<{ Bindings: Deno.ServeHandlerInfo<Deno.NetAddr> }>();
  app.get("/hello", (c) => c.text("hello from hono"));
  app.all("/chat/*", (c) => natter.fetch(c.req.raw, c.env));
  // The default mount(), as a host might try it: the prefix is cut off.
  app.all("/cut/*", mount(natter.fetch));
  app.all("/second/*", mount(second.fetch, { replaceRequest: false }));
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    app.fetch,
  );
  const { port } = server.addr;
  return {
    natter,
    second,
    addr: server.addr,
    origin: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}/chat/ws`,
    async [Symbol.asyncDispose]() {
      await natter.close();
      await second.close();
      await server.shutdown();
    },
  };
}

/** The status a raw request for `path` gets, exactly as written. */
async function statusOf(
  addr: Deno.NetAddr,
  path: string,
  options: { upgrade?: boolean; headers?: Record<string, string> } = {},
): Promise<number> {
  const plain = {
    Upgrade: "",
    Connection: "",
    "Sec-WebSocket-Key": "",
    "Sec-WebSocket-Version": "",
  };
  const result = await rawHandshake(addr, {
    path,
    headers: { ...(options.upgrade ? {} : plain), ...options.headers },
  });
  result.conn?.abort();
  return result.status;
}

Deno.test("createNatter() under /chat in Hono: the page, both kinds of client, the API, and the host's own routes", async (t) => {
  await using host = honoHost();
  const { natter } = host;

  await t.step("the host's route is Hono's", async () => {
    const response = await fetch(host.origin + "/hello");
    assert.equal(await response.text(), "hello from hono");
  });

  await t.step(
    "the page is at /chat/ and /chat/r/{room}, and knows its base",
    async () => {
      for (const path of ["/chat/", "/chat/r/deno"]) {
        const response = await fetch(host.origin + path);
        assert.equal(response.status, 200, path);
        const html = await response.text();
        assert.match(html, /<meta name="natter-base" content="\/chat">/);
        // The page's script puts its WebSocket under the base.
        assert.match(html, /location\.host \+ BASE \+ "\/ws"/);
      }
      const bare = await fetch(host.origin + "/chat?token=t", {
        redirect: "manual",
      });
      await bare.body?.cancel();
      assert.equal(bare.status, 308);
      assert.equal(bare.headers.get("location"), "/chat/?token=t");
    },
  );

  await t.step(
    "a plain and a natter.v1 client chat under /chat/ws",
    async () => {
      await using plain = await ChatClient.open(host.ws + "/deno");
      await using v1 = await V1Client.open(host.ws);
      await v1.join("deno", { nick: "ada" });
      await until(() => natter.members("deno") === 2, "both members");
      plain.send("hi from plain");
      await v1.waitFor(
        (e) => e.type === "message" && e.text === "hi from plain",
        "the plain client's message",
      );
      await v1.request({ type: "send", room: "deno", text: "hi from ada" });
      assert.deepEqual(await plain.waitForMessages(2), [
        "hi from plain",
        "hi from ada",
      ]);
    },
  );

  await t.step(
    "the operations endpoints and the API are under /chat only",
    async () => {
      assert.equal((await fetch(host.origin + "/chat/healthz")).status, 200);
      const outside = await fetch(host.origin + "/healthz");
      await outside.body?.cancel();
      assert.equal(outside.status, 404);
      const rooms = await fetch(host.origin + "/chat/api/rooms", {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.deepEqual(await rooms.json(), {
        rooms: [{ room: "deno", members: 0 }],
      });
    },
  );

  await t.step(
    "mount() with replaceRequest: false hands natter the request as it came",
    async () => {
      const url = `ws://127.0.0.1:${host.addr.port}/second/ws`;
      await using a = await ChatClient.open(url);
      await using b = await ChatClient.open(url);
      await until(() => host.second.members() === 2, "both members");
      a.send("through mount()");
      assert.deepEqual(await b.waitForMessages(1), ["through mount()"]);
    },
  );

  await t.step(
    "the default mount() cuts the prefix off: natter answers 404",
    async () => {
      assert.equal(
        await statusOf(host.addr, "/cut/ws", { upgrade: true }),
        404,
      );
      assert.equal(await statusOf(host.addr, "/cut/"), 404);
    },
  );
});

Deno.test("createNatter() under /chat: paths that step out of the prefix reach nothing of natter's", async (t) => {
  await using host = honoHost();
  const auth = { Authorization: `Bearer ${TOKEN}` };
  const escapes: [string, boolean][] = [
    ["/chat/../api/rooms", false],
    ["/chat/%2e%2e/api/rooms", false],
    ["/chat/%2E%2E/ws", true],
    ["/chat/..%2Fapi/rooms", false],
    ["/chat%2Fws", true],
    ["/chat%2fapi/rooms", false],
    ["/chatX/ws", true],
    ["/chat/ws%2F..%2F..%2Fapi", true],
    ["/chat/ws/..%2Flobby", true],
    ["/chat/./../ws", true],
    ["/chat/%2e%2e%2fws", true],
    ["/Chat/ws", true],
    ["/api/rooms", false],
    ["/ws", true],
  ];
  for (const [path, upgrade] of escapes) {
    await t.step(path, async () => {
      const status = await statusOf(host.addr, path, {
        upgrade,
        headers: auth,
      });
      assert.equal(status, 404, `${path} answered ${status}`);
    });
  }
  await t.step("a request line that is not a path", async () => {
    const status = await statusOf(host.addr, "http://127.0.0.1/../../ws", {
      upgrade: true,
    });
    assert.notEqual(status, 101);
    assert.equal(host.natter.members(), 0);
  });
  await t.step("a path of 8000 characters under the prefix", async () => {
    const status = await statusOf(host.addr, "/chat/ws/" + "a".repeat(8000), {
      upgrade: true,
    });
    assert.ok(status === 404 || status === 414 || status === 431, `${status}`);
  });
  await t.step("none of it upgraded, and natter still serves", async () => {
    assert.equal(host.natter.members(), 0);
    await using client = await ChatClient.open(host.ws);
    await until(() => host.natter.members() === 1, "a member");
    client.send("still here");
    assert.deepEqual(
      await deadline(client.waitForMessages(1), "the echo"),
      ["still here"],
    );
  });
});
