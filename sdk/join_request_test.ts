import assert from "node:assert/strict";
import { NatterError } from "./errors.ts";
import { joinRequest } from "./join_request.ts";

Deno.test("joinRequest() asks for the nick and the position it is given, and nothing else", () => {
  const since = { epoch: "e1", offset: 7 };
  assert.deepEqual(
    joinRequest({ room: "lobby", nick: "ada", since, first: false }).command,
    { type: "join", room: "lobby", nick: "ada", since },
  );
  assert.deepEqual(joinRequest({ room: "lobby", first: true }).command, {
    type: "join",
    room: "lobby",
  });
});

Deno.test("a first join ends on a full room; a rejoin waits for room", () => {
  const full = new NatterError("room_full", "the room is full");
  const first = joinRequest({ room: "lobby", first: true });
  assert.equal(first.refused(full), false, "the first join gives up");
  const again = joinRequest({ room: "lobby", first: false });
  assert.equal(again.refused(full), true, "a rejoin is tried again");
  // Neither retries what will never pass.
  const forbidden = new NatterError("forbidden", "not this room");
  assert.equal(
    joinRequest({ room: "lobby", first: false }).refused(forbidden),
    false,
  );
});
