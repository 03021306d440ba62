import assert from "node:assert/strict";
import { addressOf, parseChatArgs, UsageError } from "./chat_args.ts";

Deno.test("addressOf() reads a page's address, or the endpoint's", async (t) => {
  const cases: [string, string, string][] = [
    ["http://localhost:8080/", "ws://localhost:8080/ws", "lobby"],
    ["http://localhost:8080", "ws://localhost:8080/ws", "lobby"],
    ["http://localhost:8080/r/general", "ws://localhost:8080/ws", "general"],
    ["https://chat.example/r/a.b_c-1/", "wss://chat.example/ws", "a.b_c-1"],
    ["ws://h/ws", "ws://h/ws", "lobby"],
    ["ws://h/ws/general", "ws://h/ws", "general"],
    ["wss://h:8443/ws/den", "wss://h:8443/ws", "den"],
  ];
  for (const [address, endpoint, room] of cases) {
    await t.step(address, () => {
      assert.deepEqual(addressOf(address), { endpoint, room });
    });
  }
  await t.step("a token in the address goes along", () => {
    assert.deepEqual(addressOf("http://h/r/den?token=abc.def"), {
      endpoint: "ws://h/ws",
      room: "den",
      token: "abc.def",
    });
  });
});

Deno.test("addressOf() refuses what names no room", () => {
  for (
    const address of [
      "localhost:8080",
      "ftp://h/",
      "http://h/r/",
      "http://h/r/no%20way",
      "http://h/r/" + "x".repeat(65),
      "http://h/r/a/b",
      "http://h/about",
      "not a url",
    ]
  ) {
    assert.throws(() => addressOf(address), UsageError, address);
  }
});

Deno.test("parseChatArgs() reads --nick and one address, and nothing else", () => {
  assert.deepEqual(parseChatArgs([]), {
    endpoint: "ws://localhost:8080/ws",
    room: "lobby",
    nick: undefined,
    help: false,
  });
  assert.equal(parseChatArgs(["--nick", "ada"]).nick, "ada");
  assert.equal(parseChatArgs(["--nick=bo", "ws://h/ws/x"]).nick, "bo");
  assert.equal(parseChatArgs(["ws://h/ws/x", "--nick", "cy"]).room, "x");
  assert.equal(parseChatArgs(["-h"]).help, true);
  for (
    const args of [
      ["--nik", "ada"],
      ["--verbose", "http://h/r/den"],
      ["-n", "ada"],
      ["--nick"],
      ["--nick="],
      ["http://a/", "http://b/"],
    ]
  ) {
    assert.throws(() => parseChatArgs(args), UsageError, args.join(" "));
  }
});
