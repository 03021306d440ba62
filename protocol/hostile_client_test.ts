/**
 * natter.v1 against a hostile client: every command that makes the server
 * work is within a per-connection budget, every reply is bounded in bytes,
 * and nothing a connection sends stops the server.
 */

import assert from "node:assert/strict";
import { deadline, startServer } from "../test_util/natter.ts";
import { encodeFrame, Opcode, rawHandshake } from "../test_util/raw_ws.ts";
import { type Event, V1Client } from "../test_util/v1.ts";

const encoder = new TextEncoder();

/** Frames of `commands`, in one write as a pipelining client sends them. */
function oneWrite(commands: Event[]): Uint8Array {
  const frames = commands.map((c) =>
    encodeFrame(Opcode.Text, encoder.encode(JSON.stringify(c)), true, true)
  );
  const all = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const frame of frames) {
    all.set(frame, at);
    at += frame.length;
  }
  return all;
}

/** A raw natter.v1 connection, which reads only when the test says so. */
async function rawV1(server: { addr: Deno.NetAddr }) {
  const { status, conn } = await rawHandshake(server.addr, {
    headers: { "sec-websocket-protocol": "natter.v1" },
  });
  assert.equal(status, 101);
  assert(conn);
  return conn;
}

/** Reads events until `done` says so, or the connection closes. */
async function readEvents(
  conn: Awaited<ReturnType<typeof rawV1>>,
  done: (events: Event[]) => boolean,
): Promise<Event[]> {
  const events: Event[] = [];
  while (!done(events)) {
    const frame = await conn.readFrame();
    if (!frame || frame.opcode === Opcode.Close) break;
    events.push(...JSON.parse(new TextDecoder().decode(frame.payload)));
  }
  return events;
}

Deno.test("Session answers join and history of a new room in one write, and the server stays up", async () => {
  await using server = startServer();
  await using conn = await rawV1(server);
  await conn.sendRaw(oneWrite([
    { type: "join", room: "fresh", id: 1 },
    { type: "history", room: "fresh", before: 10, id: 2 },
  ]));
  const events = await deadline(
    readEvents(conn, (e) => [1, 2].every((id) => e.some((x) => x.id === id))),
    "both answers",
  );
  const history = events.find((e) => e.id === 2);
  assert.deepEqual(history, {
    type: "history",
    id: 2,
    room: "fresh",
    messages: [],
  });
  assert.equal(events.find((e) => e.id === 1)?.type, "joined");
  assert.equal((await fetch(server.origin + "/healthz")).status, 200);
});

Deno.test("Session limits history and members reads a second, with rate_limited", async () => {
  await using server = startServer({ historyRate: 5 });
  await using c = await V1Client.open(server.wsUrl);
  await c.join("reads");
  const commands = Array.from(
    { length: 14 },
    (_, i) =>
      i % 2 === 0
        ? { type: "history", room: "reads", before: 100, id: 100 + i }
        : { type: "members", room: "reads", id: 100 + i },
  );
  for (const command of commands) c.send(command);
  const answers = await c.waitForAll(
    (e) => typeof e.id === "number" && e.id >= 100,
    commands.length,
    "an answer to every read",
  );
  answers.sort((a, b) => a.id - b.id);
  // A burst of twice the rate, then refusals (the rate refills too little
  // meanwhile to matter).
  assert.deepEqual(
    answers.slice(0, 10).map((e) => e.type),
    commands.slice(0, 10).map((c) => c.type),
  );
  const limited = answers.filter((e) => e.code === "rate_limited");
  assert.ok(limited.length >= 3, `${limited.length} refused`);
});

Deno.test("Session limits the rooms one connection creates, with rate_limited", async () => {
  await using server = startServer({ createRate: 1, maxRoomsPerClient: 4 });
  await using c = await V1Client.open(server.wsUrl);
  // A burst of as many new rooms as a connection may be in.
  for (let i = 0; i < 4; i++) {
    await c.join(`new${i}`);
    await c.request({ type: "leave", room: `new${i}` });
  }
  const fifth = await c.request({ type: "join", room: "new4" });
  assert.equal(fifth.code, "rate_limited");
  assert.match(fifth.message, /new rooms/);
  // An existing room costs no creation.
  await using other = await V1Client.open(server.wsUrl);
  await other.join("existing");
  assert.equal((await c.join("existing")).type, "joined");
});

Deno.test("Session limits joins and leaves, with rate_limited", async () => {
  await using server = startServer({ joinRate: 2, maxRoomsPerClient: 4 });
  await using d = await V1Client.open(server.wsUrl);
  const answers: Event[] = [];
  // A burst of twice the rooms a connection may be in, then refusals.
  for (let i = 0; i < 6; i++) {
    answers.push(await d.request({ type: "join", room: "existing" }));
    answers.push(await d.request({ type: "leave", room: "existing" }));
  }
  const types = answers.map((e) => e.code ?? e.type);
  assert.deepEqual(types.slice(0, 8), [
    ..."joined left joined left joined left joined left".split(" "),
  ]);
  assert.equal(types[8], "rate_limited", types.join());
});

Deno.test("Session closes a connection that keeps sending what is refused with 1008", async () => {
  await using server = startServer();
  await using conn = await rawV1(server);
  const junk = Array.from(
    { length: 300 },
    (_, i) => ({ type: "dance", id: i }),
  );
  await conn.sendRaw(oneWrite(junk));
  const close = await deadline(conn.readClose(), "the close");
  assert.equal(close.code, 1008);
  assert.equal(close.reason, "too many refused commands");
  // Others are served as before.
  await using c = await V1Client.open(server.wsUrl);
  assert.equal((await c.join("after")).type, "joined");
});

Deno.test("Client evicts a connection whose replies pass its byte budget, however few", async () => {
  // A write wait longer than the test: a socket that stopped draining
  // cannot be what closes it.
  await using server = startServer({
    queueBytes: 200_000,
    historyRate: 100,
    writeWait: 60_000,
  });
  await using writer = await V1Client.open(server.wsUrl);
  await writer.join("big");
  // A room whose history pages are large: 100 messages of 500 bytes.
  for (let i = 0; i < 100; i++) {
    writer.send({ type: "send", room: "big", text: "y".repeat(500) });
  }
  await writer.waitForAll((e) => e.type === "ack", 100, "the acks");
  // A connection that asks for page after page and never reads.
  await using greedy = await rawV1(server);
  const pages = Array.from({ length: 150 }, (_, i) => ({
    type: "history",
    room: "big",
    before: 101,
    id: i,
  }));
  await greedy.sendRaw(oneWrite([{ type: "join", room: "big" }, ...pages]));
  // 150 pages of 55 KB each are 8 MB: far more than the socket and the
  // kernel take. Counting events (150 < 256) it would never be evicted.
  const evicted = /natter_evictions_total\{reason="send queue full"\} 1/;
  await deadline(
    (async () => {
      for (;;) {
        const metrics = await (await fetch(server.origin + "/metrics")).text();
        if (evicted.test(metrics)) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })(),
    "the greedy connection to be evicted",
    30_000,
  );
  assert.equal(
    (await writer.request({ type: "send", room: "big", text: "ok" })).type,
    "ack",
  );
});

Deno.test("C1, C8: joined lists the first page of members with count, members reads on", async () => {
  await using server = startServer({ memberPage: 2 });
  const clients: V1Client[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const c = await V1Client.open(server.wsUrl);
      clients.push(c);
      await c.join("many", { nick: `m${i}` });
    }
    const last = clients[4];
    const joined = last.events.find((e) => e.type === "joined")!;
    assert.equal(joined.count, 5);
    assert.equal(joined.presence.length, 2);
    const ids = clients.map((c) =>
      c.events.find((e) => e.type === "joined")!.client as string
    ).sort();
    assert.deepEqual(
      joined.presence.map((m: Event) => m.client),
      ids.slice(0, 2),
    );
    const seen: string[] = [];
    let after: string | null | undefined = undefined;
    do {
      const page: Event = await last.request({
        type: "members",
        room: "many",
        after,
      });
      assert.equal(page.type, "members");
      assert.equal(page.count, 5);
      assert.ok(page.members.length <= 2);
      seen.push(...page.members.map((m: Event) => m.client));
      after = page.next;
    } while (after !== null);
    assert.deepEqual(seen, ids);
    const tooMany = await last.request({
      type: "members",
      room: "many",
      limit: 3,
    });
    assert.equal(tooMany.code, "bad_request");
    const notIn = await last.request({ type: "members", room: "elsewhere" });
    assert.equal(notIn.code, "not_joined");
    // Out of range is bad_request whether joined or not.
    const outOfRange = await last.request({
      type: "members",
      room: "elsewhere",
      limit: 3,
    });
    assert.equal(outOfRange.code, "bad_request");
  } finally {
    for (const c of clients) await c[Symbol.asyncDispose]();
  }
});

Deno.test("Session answers a join, a send and a leave of one room sent in one write, in order", async () => {
  await using server = startServer();
  await using watcher = await V1Client.open(server.wsUrl);
  await watcher.join("burst");
  await using conn = await rawV1(server);
  await conn.sendRaw(oneWrite([
    { type: "join", room: "burst", id: 1 },
    { type: "send", room: "burst", text: "hi", id: 2 },
    { type: "leave", room: "burst", id: 3 },
    { type: "join", room: "burst", id: 4 },
    { type: "leave", room: "burst", id: 5 },
  ]));
  const events = await deadline(
    readEvents(conn, (e) => e.some((x) => x.id === 5)),
    "the answer to the last leave",
  );
  const answers = events.filter((e) => e.id !== undefined);
  const at = (id: number, type: string) => {
    const index = answers.findIndex((e) => e.id === id);
    assert.equal(answers[index]?.type, type, `the answer to #${id}`);
    return index;
  };
  // Each command answered; a leave after what came before it. (Both joins
  // may be admitted in one turn of the Hub, so their replies may come
  // before the first leave's.)
  assert.ok(at(1, "joined") < at(2, "ack"));
  assert.ok(at(2, "ack") < at(3, "left"));
  assert.ok(at(4, "joined") < at(5, "left"));
  assert.equal(answers.length, 5);
  // Nothing of the room after the last `left`.
  assert.equal(events.at(-1)?.id, 5);
  // Nobody is left in the room's presence but the watcher.
  const members = await watcher.request({ type: "members", room: "burst" });
  assert.equal(members.count, 1);
});
