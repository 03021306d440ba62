/**
 * The client library against a server that breaks the protocol: frames
 * that are not JSON, not arrays, far too large, binary, events with missing
 * or ill-typed fields, unknown events and codes, answers to commands never
 * sent, member lists that go round in circles or never end. The client
 * neither throws nor hangs, keeps what is well-formed, and maps every error
 * code to its typed error.
 */

import assert from "node:assert/strict";
import { deadline } from "../test_util/natter.ts";
import { connect, NatterError } from "./mod.ts";
import { MAX_FRAME_CHARS } from "./read_frame.ts";
import { MAX_MEMBERS_READ } from "./member_list.ts";

// deno-lint-ignore no-explicit-any
type Command = Record<string, any>;

/**
 * A fake natter.v1 server: `script` answers each command with the frames
 * (strings sent as they are, anything else as JSON) to send back, and may
 * close the socket.
 */
function fakeServer(
  script: (
    command: Command,
    send: (frame: unknown) => void,
    socket: WebSocket,
  ) => void,
) {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request, {
        protocol: "natter.v1",
      });
      const send = (frame: unknown) => {
        if (socket.readyState !== WebSocket.OPEN) return;
        if (typeof frame === "string" || frame instanceof Uint8Array) {
          socket.send(frame);
        } else socket.send(JSON.stringify(frame));
      };
      socket.onmessage = (event) =>
        script(JSON.parse(event.data), send, socket);
      return response;
    },
  );
  return Object.assign(server, {
    url: `ws://127.0.0.1:${server.addr.port}/ws`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  });
}

const ada = { client: "c-1", nick: "ada" };

/** A well-formed `joined` reply to `command`. */
function joined(command: Command, extra: Command = {}): Command {
  return {
    type: "joined",
    id: command.id,
    room: command.room,
    nick: "ada",
    client: "c-1",
    epoch: "e1",
    offset: 0,
    recovered: false,
    history: [],
    presence: [ada],
    count: 1,
    ...extra,
  };
}

Deno.test("garbage, oversized, binary and unknown frames are dropped, and the rest is read", async () => {
  const garbage: unknown[] = [
    "not json",
    "{}",
    '[1, null, "x", []]',
    [{ type: "message" }],
    [{ type: "message", room: "den", offset: -1, from: ada, text: "", ts: 0 }],
    [{ type: "presence", room: "den", joined: "everyone", left: [] }],
    [{ type: "weird", room: "den" }],
    [{ type: "ack", id: 999, room: "den", offset: 5 }],
    [{ type: "error", id: 999, code: "too_big", message: "no such id" }],
    new Uint8Array([1, 2, 3]),
    "[" + " ".repeat(MAX_FRAME_CHARS) + "]",
  ];
  await using server = fakeServer((command, send) => {
    if (command.type === "join") {
      for (const frame of garbage) send(frame);
      send([joined(command, {
        history: [
          { room: "den", offset: 1, from: ada, text: "kept", ts: 1 },
          { room: "den", offset: "2", from: ada, text: "dropped", ts: 2 },
        ],
        presence: [ada, { client: 7 }, { client: "c-2", nick: null }],
        count: 2,
        offset: 1,
      })]);
      for (const frame of garbage) send(frame);
      send([
        {
          type: "message",
          room: "den",
          offset: 2,
          from: ada,
          text: "live",
          ts: 3,
        },
        {
          type: "message",
          room: "den",
          offset: 2,
          from: ada,
          text: "again",
          ts: 3,
        },
      ]);
    }
    if (command.type === "send") {
      // The answer of another command, then a stray ack, then the real one.
      send([{ type: "left", id: command.id, room: "den" }]);
      send([{ type: "ack", id: command.id, room: "elsewhere", offset: 9 }]);
      send([{ type: "ack", id: command.id, room: "den", offset: 3 }]);
    }
  });
  await using client = await connect(server.url);
  const errors: NatterError[] = [];
  client.addEventListener("error", (event) => errors.push(event.detail));
  const room = await deadline(client.join("den"), "the join");
  assert.deepEqual(room.backlog.map((m) => m.text), ["kept"]);
  assert.deepEqual([...room.members.keys()], ["c-1", "c-2"]);
  const live = room.messages();
  const first = await deadline(live.next(), "the live message");
  assert.equal(first.value?.text, "live");
  assert.equal(await deadline(room.send("hi"), "the ack"), 3);
  await live.return?.();
  assert.ok(client.connected);
  // The errors with an id the client never used reached the application.
  assert.deepEqual(errors.map((e) => e.code), ["too_big", "too_big"]);
});

Deno.test("every error code comes out as a NatterError with that code; an unknown one as bad_request", async (t) => {
  const codes = [
    "bad_request",
    "unknown_type",
    "invalid_room",
    "invalid_nick",
    "not_joined",
    "already_joined",
    "too_big",
    "room_full",
    "too_many_rooms",
    "unauthorized",
    "forbidden",
  ];
  await using server = fakeServer((command, send) => {
    if (command.type === "join") return send([joined(command)]);
    send([{ type: "error", id: command.id, code: command.text, message: "m" }]);
  });
  await using client = await connect(server.url);
  const room = await client.join("den");
  for (const code of codes) {
    await t.step(code, async () => {
      await assert.rejects(room.send(code), (error: unknown) => {
        assert.ok(error instanceof NatterError);
        assert.equal(error.code, code);
        return true;
      });
    });
  }
  await t.step("an unknown code", async () => {
    await assert.rejects(room.send("on_fire"), (error: unknown) => {
      assert.ok(error instanceof NatterError);
      assert.equal(error.code, "bad_request");
      assert.match(error.message, /on_fire/);
      return true;
    });
  });
});

Deno.test("member pages that go round in circles, and a flood of members, are bounded", async () => {
  const many = Array.from(
    { length: MAX_MEMBERS_READ + 500 },
    (_, i) => ({ client: `m-${String(i).padStart(6, "0")}`, nick: null }),
  );
  let pages = 0;
  await using server = fakeServer((command, send) => {
    if (command.type === "join") {
      send([joined(command, { count: 3 })]);
      send([{
        type: "presence",
        room: "den",
        joined: many,
        left: [],
        count: many.length,
      }]);
      return;
    }
    if (command.type === "members") {
      pages++;
      // Always the same page, and always "more after a".
      send([{
        type: "members",
        id: command.id,
        room: "den",
        members: [{ client: "a", nick: "x" }],
        count: 3,
        next: "a",
      }]);
    }
  });
  await using client = await connect(server.url);
  const room = await client.join("den");
  const flooded = new Promise<void>((resolve) =>
    room.addEventListener("presence", () => resolve(), { once: true })
  );
  await deadline(flooded, "the flood of members");
  assert.equal(room.members.size, MAX_MEMBERS_READ);
  assert.equal(room.listed, false);
  await deadline(room.readMembers(), "the members to be read");
  assert.equal(pages, 2, "a page that goes back is not followed");
  assert.equal(room.listed, false);
});

Deno.test("a join refused for a passing reason is tried again, then given up", async () => {
  let joins = 0;
  await using server = fakeServer((command, send) => {
    joins++;
    send([{
      type: "error",
      id: command.id,
      code: "rate_limited",
      message: "",
    }]);
  });
  await using client = await connect(server.url, {
    backoff: { initial: 10, max: 50 },
  });
  await assert.rejects(
    deadline(client.join("den"), "the join to be given up"),
    (error: unknown) =>
      error instanceof NatterError && error.code === "rate_limited",
  );
  assert.equal(joins, 9, "the first try and eight more");
});

Deno.test("a room the server will not have back is lost: an error event, its loop throws, what waits fails", async () => {
  let joins = 0;
  await using server = fakeServer((command, send, socket) => {
    if (command.type !== "join") return;
    if (++joins === 1) {
      send([joined(command)]);
      // The socket drops soon after the join.
      setTimeout(() => socket.close(1012, "restart"), 20);
    } else {
      send([{
        type: "error",
        id: command.id,
        code: "forbidden",
        message: "no",
      }]);
    }
  });
  await using client = await connect(server.url, {
    backoff: { initial: 50, max: 50 },
  });
  const drops: number[] = [];
  client.addEventListener("close", (event) => drops.push(event.detail.code));
  const room = await client.join("den");
  const lost = new Promise<NatterError>((resolve) =>
    room.addEventListener("error", (event) => resolve(event.detail))
  );
  const loop = (async () => {
    for await (const _ of room) { /* nothing comes */ }
  })();
  // Sent while the socket is down: it waits for the rejoin, which fails.
  await deadline(
    new Promise<void>((resolve) =>
      client.addEventListener("close", () => resolve())
    ),
    "the drop",
  );
  const sent = room.send("waiting");
  assert.equal((await deadline(lost, "the room to be lost")).code, "forbidden");
  await assert.rejects(
    loop,
    (e: unknown) => e instanceof NatterError && e.code === "forbidden",
  );
  await assert.rejects(
    sent,
    (e: unknown) => e instanceof NatterError && e.code === "forbidden",
  );
  assert.deepEqual(drops, [1012]);
  assert.equal(client.rooms.size, 0);
  assert.equal(joins, 2, "a refusal for good is not tried again");
});
