/**
 * The terminal chat as `deno task chat` runs it, in a subprocess against a
 * live natter: what it reads on stdin reaches the room, what others say is
 * printed as `<nick> text`, and it leaves cleanly when stdin ends.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import denoJson from "../deno.json" with { type: "json" };
import { connect, type Message, type Room } from "../sdk/mod.ts";
import { deadline, startServer, until } from "../test_util/natter.ts";
import { Lines } from "../test_util/process.ts";
import { lineOf } from "./chat.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** `deno task chat` with `args`, as a child with piped stdio. */
function startChat(args: string[]) {
  const [, ...flags] = denoJson.tasks.chat.split(/\s+/);
  const child = new Deno.Command(Deno.execPath(), {
    args: [...flags, ...args],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdin = child.stdin.getWriter();
  return {
    child,
    stdout: new Lines(child.stdout),
    stderr: new Lines(child.stderr),
    type: (line: string) => stdin.write(new TextEncoder().encode(line + "\n")),
    end: () => stdin.close(),
  };
}

/** The next message of `room` that `match` accepts. */
function next(room: Room, match: (m: Message) => boolean): Promise<Message> {
  return deadline(
    (async () => {
      for await (const m of room) if (match(m)) return m;
      throw new Error(`"${room.name}" ended`);
    })(),
    "a message",
  );
}

Deno.test("deno task chat: sends what is typed, prints what others say, leaves at the end of stdin", async () => {
  await using server = startServer();
  await using other = await connect(server.wsUrl);
  const room = await other.join("general", { nick: "bo" });
  await room.send("said before");
  const chat = startChat([
    "--nick",
    "ada",
    `http://127.0.0.1:${server.addr.port}/r/general`,
  ]);
  try {
    await chat.stderr.find(/in #general as ada/, "the chat to join");
    await chat.stdout.find(/^<bo> said before$/, "the backlog");
    await until(() => room.count === 2, "bo to see ada join");

    await chat.type("hello from the terminal");
    const heard = await next(room, (m) => m.from.nick === "ada");
    assert.equal(heard.text, "hello from the terminal");

    await room.send("hello, terminal \u001b[2J");
    await chat.stdout.find(/^<bo> hello, terminal/, "bo's line");
    assert.ok(
      chat.stdout.lines.includes("<bo> hello, terminal \ufffd[2J"),
      "an escape sequence is shown, not obeyed",
    );

    await chat.end();
    const status = await deadline(chat.child.status, "the chat to exit");
    assert.equal(status.code, 0, chat.stderr.text);
    assert.ok(
      !chat.stdout.lines.some((line) => line.startsWith("<ada>")),
      "its own lines are not printed back",
    );
    await until(() => room.count === 1, "bo to see ada leave");
  } finally {
    try {
      chat.child.kill();
    } catch {
      // It exited.
    }
    await chat.stdout.done;
    await chat.stderr.done;
  }
});

Deno.test("deno task chat: an unknown flag is one line on stderr and status 2", async () => {
  const nowhere = "ws://127.0.0.1:1/ws";
  for (
    const args of [["--verbose", nowhere], ["http://h/r/no%20way"]]
  ) {
    const chat = startChat(args);
    await chat.end();
    const status = await deadline(chat.child.status, "the chat to exit");
    await chat.stdout.done;
    await chat.stderr.done;
    assert.equal(status.code, 2);
    assert.equal(chat.stderr.lines.filter((l) => l !== "").length, 1);
    assert.match(chat.stderr.lines[0], /^chat: .*usage: deno task chat/);
    assert.deepEqual(chat.stdout.lines.filter((l) => l !== ""), []);
  }
});

Deno.test("lineOf() shows a plain sender as anonymous", () => {
  const from = { client: "k-1", nick: null };
  assert.equal(
    lineOf({ room: "lobby", offset: 1, from, text: "hi\u0007", ts: 0 }),
    "<anonymous> hi\ufffd",
  );
});
