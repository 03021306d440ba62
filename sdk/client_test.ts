/**
 * The client library against a live natter: joining, sending, receiving,
 * history, members, leaving, closing, tokens, and each refusal as its typed
 * error. Reconnection is in `reconnect_test.ts`, a hostile server in
 * `hostile_server_test.ts`.
 */

import assert from "node:assert/strict";
import { createVerifier } from "../auth/token.ts";
import { deadline, startServer } from "../test_util/natter.ts";
import { SECRET, sign } from "../test_util/tokens.ts";
import { V1Client } from "../test_util/v1.ts";
import {
  ClosedError,
  connect,
  type Message,
  NatterError,
  type Presence,
  type Room,
} from "./mod.ts";

/** The next `count` messages of `room`'s loop, within the deadline. */
async function take(room: Room, count: number): Promise<Message[]> {
  const taken: Message[] = [];
  if (count === 0) return taken;
  await deadline(
    (async () => {
      for await (const message of room) {
        taken.push(message);
        if (taken.length === count) break;
      }
    })(),
    `${count} messages in "${room.name}" (have ${taken.length})`,
  );
  return taken;
}

/** Whether `promise` rejects with a NatterError of `code`. */
async function refusedWith(promise: Promise<unknown>, code: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof NatterError, `not a NatterError: ${error}`);
    assert.equal(error.code, code);
    return true;
  });
}

/** A WebSocket that counts the commands it sends and errors it receives. */
function countingSocket() {
  const sent: Record<string, number> = {};
  const refused: Record<string, number> = {};
  class Counting extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener("message", (event) => {
        for (const e of JSON.parse(String(event.data))) {
          if (e.type === "error") refused[e.code] = (refused[e.code] ?? 0) + 1;
        }
      });
    }
    override send(data: string): void {
      const { type } = JSON.parse(data);
      sent[type] = (sent[type] ?? 0) + 1;
      super.send(data);
    }
  }
  return { WebSocket: Counting, sent, refused };
}

Deno.test("join() brings the backlog, the members and the count", async () => {
  await using server = startServer();
  await using other = await V1Client.open(server.wsUrl);
  await other.join("den", { nick: "bo" });
  for (const text of ["one", "two", "three"]) {
    await other.request({ type: "send", room: "den", text });
  }
  await using client = await connect(server.wsUrl);
  const room = await client.join("den", { nick: "ada" });
  assert.deepEqual(room.backlog.map((m) => m.text), ["one", "two", "three"]);
  assert.deepEqual(room.backlog.map((m) => m.offset), [1, 2, 3]);
  assert.equal(room.recovered, false);
  assert.equal(room.nick, "ada");
  assert.equal(room.count, 2);
  assert.equal(room.listed, true);
  assert.deepEqual(
    [...room.members.values()].map((m) => m.nick).toSorted(),
    ["ada", "bo"],
  );
  assert.deepEqual(room.position?.offset, 3);
  assert.deepEqual(client.rooms.get("den"), room);
});

Deno.test("members and count follow presence: who comes, who goes", async () => {
  await using server = startServer();
  await using a = await connect(server.wsUrl);
  const room = await a.join("den", { nick: "ada" });
  const seen: Presence[] = [];
  const next = () =>
    deadline(
      new Promise<void>((resolve) =>
        room.addEventListener("presence", (event) => {
          seen.push(event.detail);
          resolve();
        }, { once: true })
      ),
      "a presence event",
    );
  const came = next();
  const b = await connect(server.wsUrl);
  const rb = await b.join("den", { nick: "bo" });
  await came;
  assert.deepEqual(seen[0].joined.map((m) => m.nick), ["bo"]);
  assert.equal(room.count, 2);
  assert.deepEqual(room.members.get(rb.client!)?.nick, "bo");
  const went = next();
  b.close();
  await went;
  assert.deepEqual(seen[1].left.map((m) => m.nick), ["bo"]);
  assert.equal(room.count, 1);
  assert.deepEqual([...room.members.values()].map((m) => m.nick), ["ada"]);
  assert.equal(room.listed, true);
});

Deno.test("send() resolves with the offset; each message comes once, in order, by loop and by event", async () => {
  await using server = startServer();
  await using a = await connect(server.wsUrl);
  await using b = await connect(server.wsUrl);
  const ra = await a.join("den", { nick: "ada" });
  const rb = await b.join("den", { nick: "bo" });
  const events: number[] = [];
  rb.addEventListener("message", (event) => events.push(event.detail.offset));
  const offsets = await Promise.all(
    Array.from({ length: 20 }, (_, i) => (i % 2 ? rb : ra).send(`m${i}`)),
  );
  assert.deepEqual(offsets.toSorted((x, y) => x - y), range(1, 20));
  const seen = await take(rb, 20);
  assert.deepEqual(seen.map((m) => m.offset), range(1, 20));
  assert.deepEqual(events, range(1, 20));
  for (const m of seen) {
    const i = Number(m.text.slice(1));
    assert.equal(m.offset, offsets[i], `${m.text} has the offset of its ack`);
    assert.equal(rb.mine(m), i % 2 === 1);
    assert.equal(m.from.nick, i % 2 ? "bo" : "ada");
  }
});

Deno.test("history() reads back; leave() ends the loop; a left room refuses", async () => {
  await using server = startServer();
  await using client = await connect(server.wsUrl);
  const room = await client.join("den");
  for (let i = 1; i <= 5; i++) await room.send(`m${i}`);
  const page = await room.history({ before: 5, limit: 2 });
  assert.deepEqual(page.map((m) => m.text), ["m3", "m4"]);
  await assert.rejects(room.history({ before: -1 }), RangeError);
  const loop = take(room, 6);
  await room.leave();
  assert.equal((await loop).length, 5, "the loop ends at the leave");
  assert.equal(client.rooms.size, 0);
  await assert.rejects(room.send("late"), ClosedError);
  // The room can be joined again, and the server agrees it had been left.
  const again = await client.join("den");
  assert.equal(again.backlog.length, 5);
});

Deno.test("a refusal is a NatterError with its code", async (t) => {
  await using server = startServer();
  await using client = await connect(server.wsUrl);
  await t.step(
    "invalid_room",
    () => refusedWith(client.join("no way"), "invalid_room"),
  );
  await t.step(
    "invalid_nick",
    () =>
      refusedWith(client.join("den", { nick: "\u202eada" }), "invalid_nick"),
  );
  const room = await client.join("den");
  await t.step(
    "already_joined",
    () => refusedWith(client.join("den"), "already_joined"),
  );
  await t.step(
    "too_big, answering the send",
    () => refusedWith(room.send("x".repeat(600)), "too_big"),
  );
  await t.step(
    "too_big, for a frame past the command limit (no id)",
    () => refusedWith(room.send("x".repeat(5000)), "too_big"),
  );
  await t.step("the room still works", async () => {
    assert.equal(await room.send("fine"), 1);
  });
});

Deno.test("rate_limited: a burst of reads past the budget is held back, not hammered, and all are answered", async () => {
  await using server = startServer({ historyRate: 10 });
  const counting = countingSocket();
  await using client = await connect(server.wsUrl, {
    WebSocket: counting.WebSocket,
  });
  let drops = 0;
  client.addEventListener("close", () => drops++);
  const room = await client.join("den");
  await room.send("one");
  const reads = 60;
  const pages = await Promise.all(
    Array.from({ length: reads }, () => room.history({ before: 2 })),
  );
  assert.ok(pages.every((page) => page[0]?.text === "one"));
  const refusals = counting.refused.rate_limited ?? 0;
  assert.ok(refusals > 0, "the budget (burst 20) was spent");
  assert.equal(counting.sent.history, reads + refusals);
  // The reads past the burst were on their way before the first refusal;
  // after it, the client held back, one read at a time. Without holding
  // back, every waiting read is refused again on every try, and 100
  // refusals close the connection.
  assert.ok(refusals < 100, `${refusals} refusals`);
  assert.equal(drops, 0, "the connection was never closed");
  assert.ok(client.connected);
});

Deno.test("readMembers() reads every page of a room larger than one", async () => {
  await using server = startServer({ memberPage: 2 });
  const others = await Promise.all(
    Array.from({ length: 4 }, () => connect(server.wsUrl)),
  );
  for (const [i, other] of others.entries()) {
    await other.join("den", { nick: `n${i}` });
  }
  await using client = await connect(server.wsUrl);
  const room = await client.join("den", { nick: "ada" });
  assert.equal(room.count, 5);
  assert.equal(room.members.size, 2);
  assert.equal(room.listed, false);
  const members = await room.readMembers();
  assert.deepEqual(
    [...members.values()].map((m) => m.nick).toSorted(),
    ["ada", "n0", "n1", "n2", "n3"],
  );
  assert.equal(room.listed, true);
  for (const other of others) other.close();
});

Deno.test("a token goes in the URL, and the server knows who sent", async () => {
  const verifier = await createVerifier({ secret: SECRET });
  await using server = startServer({ verifier });
  await assert.rejects(connect(server.wsUrl), /Cannot connect/);
  const token = await sign({ sub: "u-ada", name: "ada" });
  await using client = await connect(server.wsUrl, { token });
  const room = await client.join("den");
  await room.send("signed");
  const [message] = await room.history({ before: 2 });
  assert.equal(message.from.user, "u-ada");
  assert.equal(message.from.nick, "ada");
});

Deno.test("close() rejects what waits with ClosedError and ends every loop", async () => {
  await using server = startServer();
  const client = await connect(server.wsUrl);
  const room = await client.join("den");
  const loop = (async () => {
    for await (const _ of room) { /* nothing comes */ }
    return "ended";
  })();
  const sends = [room.send("a"), room.send("b")];
  client.close();
  for (const sent of sends) await assert.rejects(sent, ClosedError);
  assert.equal(await deadline(loop, "the loop to end"), "ended");
  await assert.rejects(client.join("other"), ClosedError);
});

Deno.test("connect() rejects when nothing listens, or the URL is not ws:", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  await assert.rejects(connect(`ws://127.0.0.1:${port}/ws`), /Cannot connect/);
  await assert.rejects(connect("http://127.0.0.1/ws"), TypeError);
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
