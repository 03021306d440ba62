/**
 * natter.v1 end to end (docs/protocol.md): a real server on a loopback port, real
 * WebSocket clients, each test named for the ids it proves.
 */

import assert from "node:assert/strict";
import { ChatClient, startServer, until } from "../test_util/natter.ts";
import { rawHandshake } from "../test_util/raw_ws.ts";
import { type Event, V1Client } from "../test_util/v1.ts";

const isMessage = (room: string) => (e: Event) =>
  e.type === "message" && e.room === room;

Deno.test("S1, H6: natter.v1 is selected only when offered", async (t) => {
  await using server = startServer();
  for (
    const [offered, expected] of [
      ["natter.v1", "natter.v1"],
      ["chat, natter.v1", "natter.v1"],
      ["chat", null],
    ] as const
  ) {
    await t.step(`offered "${offered}"`, async () => {
      const { status, headers, conn } = await rawHandshake(server.addr, {
        headers: { "sec-websocket-protocol": offered },
      });
      assert.equal(status, 101);
      assert.equal(headers.get("sec-websocket-protocol"), expected);
      await conn?.[Symbol.asyncDispose]();
    });
  }
});

Deno.test("C1, E1, E2, R6: join, send, ack, message and presence", async () => {
  await using server = startServer();
  await using ada = await V1Client.open(server.wsUrl);
  const joined = await ada.join("den", { nick: "  ada " });
  assert.equal(joined.room, "den");
  assert.equal(joined.nick, "ada", "R5: the nick is trimmed");
  assert.equal(typeof joined.epoch, "string");
  assert.ok(joined.epoch.length > 0);
  assert.equal(joined.offset, 0);
  assert.equal(joined.recovered, false);
  assert.deepEqual(joined.history, []);
  assert.deepEqual(joined.presence, [{ client: joined.client, nick: "ada" }]);

  await using bob = await V1Client.open(server.wsUrl);
  const bobJoined = await bob.join("den", { nick: "bob" });
  const seen = await ada.waitFor(
    (e) => e.type === "presence",
    "ada to see bob join",
  );
  assert.deepEqual(seen, {
    type: "presence",
    room: "den",
    joined: [{ client: bobJoined.client, nick: "bob" }],
    left: [],
    count: 2,
  });
  assert.equal(bobJoined.presence.length, 2);
  assert.equal(bobJoined.count, 2);

  const before = Date.now();
  const ack = await ada.request({ type: "send", room: "den", text: " hi\n" });
  assert.deepEqual(ack, { type: "ack", id: ack.id, room: "den", offset: 1 });
  for (const client of [ada, bob]) {
    const message = await client.waitFor(isMessage("den"), "the message");
    assert.deepEqual(Object.keys(message).sort(), [
      "from",
      "offset",
      "room",
      "text",
      "ts",
      "type",
    ]);
    assert.equal(message.offset, 1);
    assert.equal(message.text, "hi", "I1: normalised");
    assert.deepEqual(message.from, { client: joined.client, nick: "ada" });
    assert.ok(message.ts >= before - 1000 && message.ts <= Date.now() + 1000);
  }
  await bob[Symbol.asyncDispose]();
  const left = await ada.waitFor(
    (e) => e.type === "presence" && e.left.length > 0,
    "bob to leave",
  );
  assert.deepEqual(left.left, [{ client: bobJoined.client, nick: "bob" }]);
});

Deno.test("R6, I4: offsets run 1..N in one order for every member", async () => {
  await using server = startServer();
  const clients = await Promise.all(
    Array.from({ length: 4 }, () => V1Client.open(server.wsUrl)),
  );
  try {
    for (const c of clients) await c.join("order");
    for (let n = 0; n < 25; n++) {
      clients.forEach((c, i) =>
        c.send({ type: "send", room: "order", text: `${i}:${n}` })
      );
    }
    const orders = await Promise.all(
      clients.map((c) => c.waitForAll(isMessage("order"), 100, "messages")),
    );
    assert.deepEqual(orders[0].map((m) => m.offset), [
      ...Array.from({ length: 100 }, (_, i) => i + 1),
    ]);
    for (const order of orders) {
      assert.deepEqual(order.map((m) => m.text), orders[0].map((m) => m.text));
    }
    for (let i = 0; i < 4; i++) {
      const mine = orders[0].filter((m) => m.text.startsWith(`${i}:`));
      assert.deepEqual(
        mine.map((m) => m.text),
        Array.from({ length: 25 }, (_, n) => `${i}:${n}`),
        "a sender's own order is kept",
      );
    }
  } finally {
    await Promise.all(clients.map((c) => c[Symbol.asyncDispose]()));
  }
});

Deno.test("S2, E3: ids are echoed, numbers and strings alike; errors carry them", async () => {
  await using server = startServer();
  await using c = await V1Client.open(server.wsUrl);
  c.send({ type: "join", room: "lobby", id: "j-1" });
  const joined = await c.waitFor((e) => e.id === "j-1", "the string id");
  assert.equal(joined.type, "joined");
  c.send({ type: "leave", room: "nowhere", id: 42 });
  const error = await c.waitFor((e) => e.id === 42, "the numeric id");
  assert.deepEqual(error, {
    type: "error",
    id: 42,
    code: "not_joined",
    message: 'Not in room "nowhere"',
  });
  c.send({ type: "leave", room: "nowhere" });
  const bare = await c.waitFor(
    (e) => e.type === "error" && !("id" in e),
    "an error without id",
  );
  assert.equal(bare.code, "not_joined");
});

Deno.test("S3: events queued together go out as one JSON array frame", async () => {
  await using server = startServer();
  await using reader = await V1Client.open(server.wsUrl);
  await reader.join("lobby");
  // A plain sender's burst arrives in one turn of the server's loop.
  await using sender = await ChatClient.open(server.wsUrl);
  await until(() => server.members() === 2, "both members");
  for (let i = 0; i < 50; i++) sender.send(`m${i}`);
  const messages = await reader.waitForAll(isMessage("lobby"), 50, "messages");
  assert.deepEqual(messages.map((m) => m.text), [
    ...Array.from({ length: 50 }, (_, i) => `m${i}`),
  ]);
  const framesWithMessages = reader.frames.filter((f) =>
    f.some((e) => e.type === "message")
  );
  assert.ok(
    framesWithMessages.length < 50,
    `50 messages came in ${framesWithMessages.length} frames`,
  );
  assert.ok(framesWithMessages.some((f) => f.length > 1));
});

Deno.test("S4: bad frames get bad_request or unknown_type and the connection stays", async (t) => {
  await using server = startServer();
  await using c = await V1Client.open(server.wsUrl);
  await c.join("lobby");
  const cases: [string, string][] = [
    ["not json", "bad_request"],
    ["[1,2]", "bad_request"],
    ['"join"', "bad_request"],
    ["null", "bad_request"],
    ["{}", "bad_request"],
    ['{"type":7}', "bad_request"],
    ['{"type":"send","room":"lobby"}', "bad_request"],
    ['{"type":"send","room":"lobby","text":5}', "bad_request"],
    ['{"type":"send","text":"x"}', "bad_request"],
    [
      '{"type":"join","room":"x","since":{"epoch":1,"offset":0}}',
      "bad_request",
    ],
    [
      '{"type":"join","room":"x","since":{"epoch":"e","offset":-1}}',
      "bad_request",
    ],
    ['{"type":"join","room":"x","nick":3}', "bad_request"],
    ['{"type":"history","room":"lobby","before":"9"}', "bad_request"],
    ['{"type":"join","room":"x","id":{}}', "bad_request"],
    ['{"type":"dance","room":"lobby"}', "unknown_type"],
  ];
  for (const [frame, code] of cases) {
    await t.step(frame, async () => {
      const count = c.events.filter((e) => e.type === "error").length;
      c.socket.send(frame);
      const errors = await c.waitForAll(
        (e) => e.type === "error",
        count + 1,
        "errors",
      );
      assert.equal(errors.at(-1)!.code, code);
    });
  }
  const ack = await c.request({
    type: "send",
    room: "lobby",
    text: "still here",
  });
  assert.equal(ack.type, "ack");
});

Deno.test("S4, D3: a binary frame closes a natter.v1 connection with 1003", async () => {
  await using server = startServer();
  await using c = await V1Client.open(server.wsUrl);
  c.socket.send(new Uint8Array([1, 2, 3]));
  const close = await c.closed;
  assert.equal(close.code, 1003);
});

Deno.test("R1, R5: room names and nicks are checked", async (t) => {
  await using server = startServer();
  await using c = await V1Client.open(server.wsUrl);
  for (const room of ["", "a b", "x".repeat(65), "café", "a/b"]) {
    await t.step(`room ${JSON.stringify(room)}: invalid_room`, async () => {
      const reply = await c.request({ type: "join", room });
      assert.equal(reply.code, "invalid_room");
    });
  }
  await t.step("a 64-character room of every allowed kind joins", async () => {
    const room = "Az09._-".padEnd(64, "z");
    assert.equal((await c.join(room)).room, room);
  });
  for (const nick of ["", "   ", "x".repeat(33), "bell\u0007", "tab\there"]) {
    await t.step(`nick ${JSON.stringify(nick)}: invalid_nick`, async () => {
      const reply = await c.request({ type: "join", room: "nicks", nick });
      assert.equal(reply.code, "invalid_nick");
    });
  }
  await t.step("32 characters (code points) is a nick", async () => {
    const nick = "😀".repeat(32);
    assert.equal((await c.join("n32", { nick })).nick, nick);
  });
  await t.step("without a nick the server makes one up", async () => {
    const { nick } = await c.join("anon");
    assert.match(nick, /^guest-\d{4}$/);
  });
});

Deno.test("R2, R3: paths choose the room of plain clients and of the page", async () => {
  await using server = startServer();
  for (const path of ["/", "/r/lobby", "/r/den.2"]) {
    const response = await fetch(server.origin + path);
    await response.body?.cancel();
    assert.equal(response.status, 200, path);
  }
  for (const path of ["/r/", "/r/bad!", "/ws/", "/ws/a b", "/ws/x/y"]) {
    const response = await fetch(server.origin + path);
    await response.body?.cancel();
    assert.equal(response.status, 404, path);
  }
  await using watcher = await V1Client.open(server.wsUrl);
  await watcher.join("den");
  await watcher.join("lobby");
  await using inDen = await ChatClient.open(server.wsUrl + "/den");
  await using inLobby = await ChatClient.open(server.wsUrl);
  await until(() => server.members("den") === 2, "the plain member of den");
  await until(() => server.members() === 2, "the plain member of lobby");
  inDen.send("in den");
  inLobby.send("in lobby");
  assert.equal((await watcher.waitFor(isMessage("den"), "den")).text, "in den");
  assert.equal(
    (await watcher.waitFor(isMessage("lobby"), "lobby")).text,
    "in lobby",
  );
  // Plain members hear only their own room.
  assert.deepEqual(await inDen.waitForMessages(1), ["in den"]);
  assert.deepEqual(await inLobby.waitForMessages(1), ["in lobby"]);
});

Deno.test("M1, M2: plain and natter.v1 members share a room, both ways", async () => {
  await using server = startServer();
  await using plain = await ChatClient.open(server.wsUrl + "/mixed");
  await until(() => server.members("mixed") === 1, "the plain member");
  await using v1 = await V1Client.open(server.wsUrl);
  const joined = await v1.join("mixed", { nick: "ada" });
  const plainMember = joined.presence.find((m: Event) => m.nick === null);
  assert.ok(plainMember, "M2: presence lists the plain member, nick null");
  plain.send("from plain");
  const fromPlain = await v1.waitFor(isMessage("mixed"), "the plain message");
  assert.deepEqual(fromPlain.from, { client: plainMember.client, nick: null });
  assert.equal(fromPlain.offset, 1);
  v1.send({ type: "send", room: "mixed", text: "one" });
  v1.send({ type: "send", room: "mixed", text: "two" });
  // M1: a plain member gets texts alone, LF-joined when coalesced.
  assert.deepEqual(await plain.waitForMessages(3), [
    "from plain",
    "one",
    "two",
  ]);
  // M2: history holds both kinds, with one offset sequence.
  await using late = await V1Client.open(server.wsUrl);
  const replay = await late.join("mixed");
  assert.deepEqual(
    replay.history.map((m: Event) => [m.offset, m.text, m.from.nick]),
    [[1, "from plain", null], [2, "one", "ada"], [3, "two", "ada"]],
  );
});

Deno.test("C2: recovery after a real disconnect gets exactly the missed messages", async (t) => {
  await using server = startServer({ historySize: 10 });
  await using talker = await V1Client.open(server.wsUrl);
  await talker.join("rec");
  const say = async (text: string) =>
    (await talker.request({ type: "send", room: "rec", text })).offset;
  const listener = await V1Client.open(server.wsUrl);
  const first = await listener.join("rec");
  await say("a");
  await say("b");
  const seen = await listener.waitForAll(isMessage("rec"), 2, "messages");
  await listener[Symbol.asyncDispose]();
  await say("c");
  await say("d");

  await t.step(
    "same epoch, offset in history: exactly what was missed",
    async () => {
      await using back = await V1Client.open(server.wsUrl);
      const since = { epoch: first.epoch, offset: seen.at(-1)!.offset };
      const reply = await back.join("rec", { since });
      assert.equal(reply.recovered, true);
      assert.deepEqual(reply.history.map((m: Event) => m.text), ["c", "d"]);
      assert.equal(reply.offset, 4);
      // And nothing twice: the next message arrives live, once.
      await say("e");
      const live = await back.waitFor(isMessage("rec"), "the live message");
      assert.equal(live.offset, 5);
    },
  );
  await t.step("a wrong epoch: not recovered, the latest instead", async () => {
    await using back = await V1Client.open(server.wsUrl);
    const reply = await back.join("rec", {
      since: { epoch: "old", offset: 2 },
    });
    assert.equal(reply.recovered, false);
    assert.deepEqual(reply.history.map((m: Event) => m.offset), [
      1,
      2,
      3,
      4,
      5,
    ]);
  });
  await t.step("an offset older than the history: not recovered", async () => {
    for (let i = 0; i < 12; i++) await say(`more ${i}`);
    await using back = await V1Client.open(server.wsUrl);
    const reply = await back.join("rec", {
      since: { epoch: first.epoch, offset: 2 },
    });
    assert.equal(reply.recovered, false);
    assert.equal(reply.history.length, 10, "the history keeps 10");
    assert.equal(reply.history.at(-1).offset, 17);
  });
  await t.step("an offset from the future: not recovered", async () => {
    await using back = await V1Client.open(server.wsUrl);
    const reply = await back.join("rec", {
      since: { epoch: first.epoch, offset: 99 },
    });
    assert.equal(reply.recovered, false);
  });
});

Deno.test("R4, R6: a room freed and created again has a new epoch", async () => {
  await using server = startServer({ historyTtl: 0 });
  const first = await V1Client.open(server.wsUrl);
  const joined = await first.join("brief");
  await first.request({ type: "send", room: "brief", text: "gone soon" });
  await first[Symbol.asyncDispose]();
  await until(
    () => !server.rooms.names().includes("brief"),
    "the room to be freed",
  );
  await using again = await V1Client.open(server.wsUrl);
  const rejoined = await again.join("brief", {
    since: { epoch: joined.epoch, offset: 1 },
  });
  assert.notEqual(rejoined.epoch, joined.epoch);
  assert.equal(rejoined.recovered, false);
  assert.equal(rejoined.offset, 0);
  assert.deepEqual(rejoined.history, []);
});

Deno.test("R4: a room with history but no members is kept until its history expires", async () => {
  await using server = startServer({ historyTtl: 60_000 });
  const first = await V1Client.open(server.wsUrl);
  const joined = await first.join("kept");
  await first.request({ type: "send", room: "kept", text: "still here" });
  await first[Symbol.asyncDispose]();
  await until(() => server.members("kept") === 0, "the member to leave");
  await using again = await V1Client.open(server.wsUrl);
  const rejoined = await again.join("kept");
  assert.equal(rejoined.epoch, joined.epoch);
  assert.deepEqual(rejoined.history.map((m: Event) => m.text), ["still here"]);
});

Deno.test("C3: a send over the size limit is too_big, one at the limit is sent", async () => {
  await using server = startServer();
  await using c = await V1Client.open(server.wsUrl);
  await c.join("lobby");
  const big = await c.request({
    type: "send",
    room: "lobby",
    text: "é".repeat(256) + "x",
  });
  assert.equal(big.code, "too_big");
  const ok = await c.request({
    type: "send",
    room: "lobby",
    text: "é".repeat(256),
  });
  assert.equal(ok.type, "ack");
  const message = await c.waitFor(isMessage("lobby"), "the message");
  assert.equal(message.text, "é".repeat(256));
  assert.equal(message.offset, ok.offset);
});

Deno.test("C4: leave stops the room's events; closing leaves every room", async () => {
  await using server = startServer();
  await using watcher = await V1Client.open(server.wsUrl);
  await watcher.join("a");
  await watcher.join("b");
  const c = await V1Client.open(server.wsUrl);
  const inA = await c.join("a");
  await c.join("b");
  const left = await c.request({ type: "leave", room: "a" });
  assert.deepEqual(left, { type: "left", id: left.id, room: "a" });
  await watcher.request({ type: "send", room: "a", text: "after leave" });
  await watcher.request({ type: "send", room: "b", text: "in b" });
  await c.waitFor(isMessage("b"), "the message in b");
  assert.deepEqual(c.messages("a"), [], "nothing of a after left");
  const leftA = await watcher.waitFor(
    (e) => e.type === "presence" && e.room === "a" && e.left.length > 0,
    "c to leave a",
  );
  assert.deepEqual(leftA.left, [{ client: inA.client, nick: inA.nick }]);
  await c[Symbol.asyncDispose]();
  const leftB = await watcher.waitFor(
    (e) => e.type === "presence" && e.room === "b" && e.left.length > 0,
    "c to leave b by closing",
  );
  assert.equal(leftB.left[0].client, inA.client);
});

Deno.test("C5: history pages backwards, oldest first, capped", async () => {
  await using server = startServer({ historyPage: 100 });
  await using c = await V1Client.open(server.wsUrl);
  await c.join("pages");
  for (let i = 1; i <= 120; i++) {
    c.send({ type: "send", room: "pages", text: `m${i}` });
  }
  await c.waitForAll(isMessage("pages"), 120, "messages");
  const page = await c.request({
    type: "history",
    room: "pages",
    before: 11,
    limit: 5,
  });
  assert.equal(page.type, "history");
  assert.equal(page.room, "pages");
  assert.deepEqual(page.messages.map((m: Event) => m.offset), [6, 7, 8, 9, 10]);
  assert.equal(page.messages[0].type, "message");
  const capped = await c.request({
    type: "history",
    room: "pages",
    before: 121,
    limit: 1000,
  });
  assert.equal(capped.messages.length, 100);
  assert.equal(capped.messages[0].offset, 21);
  const start = await c.request({
    type: "history",
    room: "pages",
    before: 1,
    limit: 5,
  });
  assert.deepEqual(start.messages, []);
});

Deno.test("C6: commands on rooms not joined, and second joins, are refused", async () => {
  await using server = startServer();
  await using c = await V1Client.open(server.wsUrl);
  for (
    const command of [
      { type: "send", room: "x", text: "hi" },
      { type: "leave", room: "x" },
      { type: "history", room: "x", before: 5 },
    ]
  ) {
    assert.equal((await c.request(command)).code, "not_joined", command.type);
  }
  await c.join("x");
  assert.equal(
    (await c.request({ type: "join", room: "x" })).code,
    "already_joined",
  );
});

Deno.test("R4: limits on rooms and members are answered, never crashed on", async (t) => {
  await using server = startServer({
    maxRooms: 3,
    maxMembers: 2,
    maxRoomsPerClient: 2,
    maxCommandSize: 256,
  });
  await using c = await V1Client.open(server.wsUrl);
  await t.step("too_many_rooms for one connection", async () => {
    await c.join("one");
    await c.join("two");
    const third = await c.request({ type: "join", room: "three" });
    assert.equal(third.code, "too_many_rooms");
  });
  await using d = await V1Client.open(server.wsUrl);
  await using e = await V1Client.open(server.wsUrl);
  await t.step("room_full", async () => {
    await d.join("one");
    const full = await e.request({ type: "join", room: "one" });
    assert.equal(full.code, "room_full");
    // The refused connection can still join elsewhere, and speak there.
    await e.join("three");
    assert.equal(
      (await e.request({ type: "send", room: "three", text: "x" })).type,
      "ack",
    );
  });
  await t.step(
    "too_many_rooms for the server, and 503 for a plain client",
    async () => {
      const fourth = await d.request({ type: "join", room: "four" });
      assert.equal(fourth.code, "too_many_rooms");
      const { status } = await rawHandshake(server.addr, { path: "/ws/four" });
      assert.equal(status, 503);
    },
  );
  await t.step(
    "at the most rooms, a room with no members gives way to a new one",
    async () => {
      assert.equal(
        (await e.request({ type: "leave", room: "three" })).type,
        "left",
      );
      await until(() => server.members("three") === 0, "three to empty");
      const fourth = await d.join("four");
      assert.equal(fourth.room, "four");
      assert.equal(server.rooms.find("three"), undefined);
      // Created again, "three" would need another room to give way.
      const three = await e.request({ type: "join", room: "three" });
      assert.equal(three.code, "too_many_rooms");
      // A plain client's room too: "two" empties and gives way to "five".
      await c.request({ type: "leave", room: "two" });
      await until(() => server.members("two") === 0, "two to empty");
      const { status, conn } = await rawHandshake(server.addr, {
        path: "/ws/five",
      });
      assert.equal(status, 101);
      await until(() => server.members("five") === 1, "the plain member");
      assert.equal(server.rooms.find("two"), undefined);
      await conn?.close();
    },
  );
  await t.step(
    "a command over the size limit is too_big, and the connection stays",
    async () => {
      // Unread, so its id cannot be echoed (E3).
      c.send({ type: "send", room: "one", text: "x".repeat(300), id: 1 });
      const big = await c.waitFor(
        (e) => e.type === "error" && !("id" in e),
        "the error",
      );
      assert.equal(big.code, "too_big");
      assert.equal(
        (await c.request({ type: "send", room: "one", text: "fits" })).type,
        "ack",
      );
    },
  );
  await t.step(
    "a plain client over a full room is closed with 1013",
    async () => {
      const { conn } = await rawHandshake(server.addr, { path: "/ws/one" });
      assert.ok(conn);
      await using _conn = conn;
      assert.deepEqual(await conn.readClose(), {
        code: 1013,
        reason: "room is full",
      });
    },
  );
});
