/**
 * The production surface on a real server: tokens, limits, health, metrics
 * and the server API, each with other clients shown unaffected.
 */

import assert from "node:assert/strict";
// Test-only: deno.test.json maps it, so `deno task start` never fetches it.
import fc from "fast-check";
import { createVerifier } from "../auth/token.ts";
import {
  ChatClient,
  deadline,
  startServer,
  until,
} from "../test_util/natter.ts";
import { rawHandshake } from "../test_util/raw_ws.ts";
import { SECRET, sign } from "../test_util/tokens.ts";
import { type Event, V1Client } from "../test_util/v1.ts";

const isMessage = (e: Event) => e.type === "message";

/** A natter.v1 client whose upgrade carries `token` in the URL. */
function openWithToken(wsUrl: string, token: string): Promise<V1Client> {
  return V1Client.open(`${wsUrl}?token=${encodeURIComponent(token)}`);
}

Deno.test("--jwt-secret: every upgrade needs a valid token, or gets 401", async (t) => {
  const verifier = await createVerifier({ secret: SECRET });
  await using server = startServer({ verifier });
  const upgrade = (path: string, headers: Record<string, string> = {}) =>
    rawHandshake(server.addr, { path, headers });
  await t.step("missing, malformed, bad, expired: 401", async () => {
    const expired = await sign({ sub: "u" }, { expiresIn: -5 });
    const wrongKey = await sign({ sub: "u" }, {
      key: new TextEncoder().encode("another secret, long enough for HS256"),
    });
    const cases: [string, Record<string, string>][] = [
      ["/ws", {}],
      ["/ws?token=garbage", {}],
      [`/ws?token=${expired}`, {}],
      [`/ws?token=${wrongKey}`, {}],
      ["/ws", { authorization: "Basic dTpw" }],
      ["/ws/room", { authorization: `Bearer ${expired}` }],
    ];
    for (const [path, headers] of cases) {
      const { status, headers: answer } = await upgrade(path, headers);
      assert.equal(status, 401, path);
      assert.equal(answer.get("www-authenticate"), "Bearer");
    }
  });
  await t.step("good, in the URL or as a bearer header: 101", async () => {
    const token = await sign({ sub: "u" });
    for (
      const [path, headers] of [
        [`/ws?token=${token}`, {}],
        ["/ws", { authorization: `Bearer ${token}` }],
      ] as const
    ) {
      const { status, conn } = await upgrade(path, headers);
      assert.equal(status, 101);
      await conn?.[Symbol.asyncDispose]();
    }
  });
  await t.step(
    "the name claim is the nick; sub is the member's user",
    async () => {
      const token = await sign({ sub: "user-7", name: "Ada" });
      await using c = await openWithToken(server.wsUrl, token);
      const joined = await c.join("lobby", { nick: "Mallory" });
      assert.equal(
        joined.nick,
        "Ada",
        "a join cannot override the token's name",
      );
      assert.deepEqual(joined.presence, [{
        client: joined.client,
        nick: "Ada",
        user: "user-7",
      }]);
      await c.request({ type: "send", room: "lobby", text: "hi" });
      const message = await c.waitFor(isMessage, "the message");
      assert.deepEqual(message.from, {
        client: joined.client,
        nick: "Ada",
        user: "user-7",
      });
    },
  );
  await t.step(
    "the rooms claim: forbidden elsewhere, 403 for plain",
    async () => {
      const token = await sign({ sub: "u", rooms: ["team-*", "lobby"] });
      await using c = await openWithToken(server.wsUrl, token);
      assert.equal((await c.join("team-a")).room, "team-a");
      assert.equal((await c.join("lobby")).room, "lobby");
      const refused = await c.request({ type: "join", room: "secret" });
      assert.equal(refused.code, "forbidden");
      const plain = await upgrade(`/ws/secret?token=${token}`);
      assert.equal(plain.status, 403);
      const allowed = await upgrade(`/ws/team-b?token=${token}`);
      assert.equal(allowed.status, 101);
      await allowed.conn?.[Symbol.asyncDispose]();
    },
  );
});

Deno.test("--jwt-issuer and --jwt-audience: a token of another issuer or audience gets 401", async () => {
  const verifier = await createVerifier({
    secret: SECRET,
    issuer: "auth",
    audience: "natter",
  });
  await using server = startServer({ verifier });
  const status = async (claims: Record<string, unknown>) => {
    const token = await sign({ sub: "u", ...claims });
    const answer = await rawHandshake(server.addr, {
      path: `/ws?token=${token}`,
    });
    await answer.conn?.[Symbol.asyncDispose]();
    return answer.status;
  };
  assert.equal(await status({ iss: "auth", aud: "natter" }), 101);
  assert.equal(await status({ iss: "other", aud: "natter" }), 401);
  assert.equal(await status({ iss: "auth", aud: "other" }), 401);
  assert.equal(await status({}), 401);
});

Deno.test("--max-connections-per-ip: 429 beyond it, others unaffected", async () => {
  await using server = startServer({ maxConnectionsPerIp: 2 });
  await using a = await ChatClient.open(server.wsUrl);
  await using b = await ChatClient.open(server.wsUrl);
  await until(() => server.members() === 2, "both clients");
  const { status } = await rawHandshake(server.addr);
  assert.equal(status, 429);
  a.send("still chatting");
  assert.deepEqual(await b.waitForMessages(1), ["still chatting"]);
  await a[Symbol.asyncDispose]();
  await until(() => server.members() === 1, "a to leave");
  const again = await rawHandshake(server.addr);
  assert.equal(again.status, 101, "a freed place is taken again");
  await again.conn?.[Symbol.asyncDispose]();
});

Deno.test("--rate-limit: a natter.v1 send over it is rate_limited and not delivered", async () => {
  await using server = startServer({ rateLimit: 1, rateBurst: 3 });
  await using fast = await V1Client.open(server.wsUrl);
  await using other = await V1Client.open(server.wsUrl);
  await fast.join("lobby");
  await other.join("lobby");
  const answers = [];
  for (let i = 0; i < 5; i++) {
    answers.push(
      await fast.request({ type: "send", room: "lobby", text: `m${i}` }),
    );
  }
  assert.deepEqual(answers.map((a) => a.type ?? a.code), [
    "ack",
    "ack",
    "ack",
    "error",
    "error",
  ]);
  assert.equal(answers[3].code, "rate_limited");
  // The others get exactly the three that went through.
  const ok = await other.request({
    type: "send",
    room: "lobby",
    text: "other",
  });
  assert.equal(ok.type, "ack", "another client has its own budget");
  const got = await other.waitForAll(isMessage, 4, "messages");
  assert.deepEqual(got.map((m) => m.text), ["m0", "m1", "m2", "other"]);
});

Deno.test("--rate-limit: a plain client over it is closed with 1008", async () => {
  const log: string[] = [];
  await using server = startServer({
    rateLimit: 1,
    rateBurst: 2,
    log: (line) => log.push(line),
  });
  await using fast = await ChatClient.open(server.wsUrl);
  await using other = await ChatClient.open(server.wsUrl);
  await until(() => server.members() === 2, "both clients");
  for (let i = 0; i < 5; i++) fast.send(`m${i}`);
  const close = await deadline(fast.closed, "the close");
  assert.deepEqual([close.code, close.reason], [1008, "rate limit exceeded"]);
  assert.deepEqual(await other.waitForMessages(2), ["m0", "m1"]);
  other.send("unaffected");
  assert.deepEqual(await other.waitForMessages(3), ["m0", "m1", "unaffected"]);
  assert.ok(log.includes("client closed by server: 1008 rate limit exceeded"));
});

Deno.test("--join-rate: joins beyond it are rate_limited", async () => {
  // Joins and leaves share a bucket with a burst of twice the rooms a
  // connection may be in.
  await using server = startServer({ joinRate: 2, maxRoomsPerClient: 1 });
  await using c = await V1Client.open(server.wsUrl);
  const codes = [];
  for (const type of ["join", "leave", "join"]) {
    const reply = await c.request({ type, room: "a" });
    codes.push(reply.type === "error" ? reply.code : reply.type);
  }
  assert.deepEqual(codes, ["joined", "left", "rate_limited"]);
});

Deno.test("--first-frame-timeout: a connection that never speaks is closed", async () => {
  await using server = startServer({ firstFrameTimeout: 300 });
  await using silent = await ChatClient.open(server.wsUrl);
  await using talker = await ChatClient.open(server.wsUrl);
  talker.send("hello");
  const close = await deadline(silent.closed, "the silent client's close");
  assert.deepEqual([close.code, close.reason], [1008, "no message in time"]);
  talker.send("still here");
  assert.deepEqual(await talker.waitForMessages(2), ["hello", "still here"]);
  assert.equal(talker.socket.readyState, WebSocket.OPEN);
});

Deno.test("/healthz and /readyz: 200, then 503 for /readyz while draining", async () => {
  await using server = startServer();
  const get = async (path: string) => {
    const response = await fetch(server.origin + path);
    return [response.status, (await response.text()).trim()];
  };
  assert.deepEqual(await get("/healthz"), [200, "ok"]);
  assert.deepEqual(await get("/readyz"), [200, "ready"]);
  server.drain();
  assert.deepEqual(await get("/readyz"), [503, "not ready"]);
  assert.deepEqual(await get("/healthz"), [200, "ok"]);
});

/** The value of `name` (with labels as written) in a metrics text. */
function metric(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(name + " "));
  assert.ok(line, `no ${name} in the metrics`);
  return Number(line.slice(name.length + 1));
}

Deno.test("/metrics moves when traffic moves", async () => {
  await using server = startServer({ queueSize: 2 });
  const scrape = async () =>
    await (await fetch(server.origin + "/metrics")).text();
  const before = await scrape();
  assert.equal(metric(before, "natter_connections"), 0);
  assert.equal(metric(before, "natter_messages_received_total"), 0);
  await using a = await ChatClient.open(server.wsUrl);
  await using b = await V1Client.open(server.wsUrl);
  await b.join("side");
  await until(() => server.members() === 1, "a to register");
  a.send("one");
  a.send("two");
  await a.waitForMessages(2);
  const after = await scrape();
  assert.equal(metric(after, "natter_connections"), 2);
  assert.equal(metric(after, "natter_rooms"), 2);
  assert.equal(metric(after, "natter_messages_received_total"), 2);
  assert.equal(metric(after, "natter_messages_delivered_total"), 2);
  assert.ok(metric(after, "natter_fanout_seconds_count") >= 2);
  assert.match(after, /# TYPE natter_fanout_seconds histogram/);
  // A binary frame closes its sender: counted by reason.
  b.socket.send(new Uint8Array([1]));
  await deadline(b.closed, "the binary sender's close");
  const evicted = await scrape();
  assert.equal(
    metric(
      evicted,
      'natter_evictions_total{reason="binary messages are not supported"}',
    ),
    1,
  );
});

Deno.test("--metrics-token: /metrics needs the bearer token", async () => {
  await using server = startServer({ metricsToken: "m3tr1cs" });
  const bare = await fetch(server.origin + "/metrics");
  await bare.body?.cancel();
  assert.equal(bare.status, 401);
  const ok = await fetch(server.origin + "/metrics", {
    headers: { authorization: "Bearer m3tr1cs" },
  });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /natter_connections/);
});

Deno.test("the server API posts into a room's order, lists, pages and disconnects", async (t) => {
  await using server = startServer({ adminToken: "adm1n" });
  const api = async (
    method: string,
    path: string,
    body?: unknown,
    token = "adm1n",
  ) => {
    const response = await fetch(server.origin + path, {
      method,
      headers: { authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  await using v1 = await V1Client.open(server.wsUrl);
  const joined = await v1.join("news");
  await using plain = await ChatClient.open(server.wsUrl + "/news");
  await until(() => server.members("news") === 2, "both members");
  await t.step(
    "POST a message: both kinds of member get it, with its offset",
    async () => {
      await v1.request({ type: "send", room: "news", text: "first" });
      const posted = await api("POST", "/api/rooms/news/messages", {
        text: "deploy at 5\n",
        nick: "ops-bot",
      });
      assert.deepEqual(posted, {
        status: 200,
        body: { room: "news", offset: 2 },
      });
      const events = await v1.waitForAll(isMessage, 2, "messages");
      assert.deepEqual(
        {
          offset: events[1].offset,
          text: events[1].text,
          from: events[1].from,
        },
        {
          offset: 2,
          text: "deploy at 5",
          from: { client: "api", nick: "ops-bot" },
        },
      );
      assert.deepEqual(await plain.waitForMessages(2), [
        "first",
        "deploy at 5",
      ]);
    },
  );
  await t.step("GET rooms and history", async () => {
    const rooms = await api("GET", "/api/rooms");
    assert.deepEqual(rooms.body.rooms, [{ room: "news", members: 2 }]);
    const history = await api("GET", "/api/rooms/news/history?limit=10");
    assert.deepEqual(
      history.body.messages.map((m: Event) => [m.offset, m.text]),
      [
        [1, "first"],
        [2, "deploy at 5"],
      ],
    );
    assert.equal((await api("GET", "/api/rooms/none/history")).status, 404);
  });
  await t.step("bad requests get 4xx", async () => {
    assert.equal(
      (await api("POST", "/api/rooms/news/messages", { txt: 1 })).status,
      400,
    );
    assert.equal(
      (await api("POST", "/api/rooms/news/messages", { text: "x".repeat(513) }))
        .status,
      413,
    );
    assert.equal(
      (await api("POST", "/api/rooms/bad!/messages", { text: "x" })).status,
      404,
    );
    assert.equal((await api("PUT", "/api/rooms")).status, 405);
    assert.equal(
      (await api("GET", "/api/rooms", undefined, "wrong")).status,
      401,
    );
  });
  await t.step(
    "DELETE a member: its connection is closed with the reason",
    async () => {
      const gone = await api(
        "DELETE",
        `/api/rooms/news/members/${joined.client}`,
        {
          reason: "spam",
        },
      );
      assert.equal(gone.status, 204);
      const close = await deadline(v1.closed, "the kicked member's close");
      assert.deepEqual([close.code, close.reason], [1008, "spam"]);
      const again = await api(
        "DELETE",
        `/api/rooms/news/members/${joined.client}`,
      );
      assert.equal(again.status, 404);
      assert.equal(plain.socket.readyState, WebSocket.OPEN);
    },
  );
});

Deno.test("without --admin-token the API's paths are 404", async () => {
  await using server = startServer();
  for (const path of ["/api/rooms", "/api/rooms/lobby/messages"]) {
    const response = await fetch(server.origin + path, {
      headers: { authorization: "Bearer anything" },
    });
    await response.body?.cancel();
    assert.equal(response.status, 404, path);
  }
});

Deno.test("arbitrary tokens and Authorization headers get 401 or 400, never 500", async () => {
  const verifier = await createVerifier({ secret: SECRET });
  await using server = startServer({ verifier });
  const good = await sign({ sub: "u" });
  // Header values a raw client can put on one line: no CR, LF or NUL.
  const line = fc.string({ unit: "grapheme", maxLength: 200 }).map((s) =>
    s.replace(/[\r\n\0]/g, "")
  );
  const token = fc.oneof(
    line,
    fc.constant(good.slice(0, -2)),
    fc.constant(good.replace(".", "..")),
    fc.constant(`${good}.${good}`),
  );
  await fc.assert(
    fc.asyncProperty(fc.option(line), token, async (authorization, query) => {
      const path = `/ws?token=${encodeURIComponent(query)}`;
      const { status, conn } = await rawHandshake(server.addr, {
        path,
        headers: authorization === null ? {} : { authorization },
      });
      await conn?.[Symbol.asyncDispose]();
      assert.ok(status === 401 || status === 400, `${status} for ${path}`);
    }),
    { numRuns: 200 },
  );
});
