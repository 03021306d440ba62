/**
 * Property tests: arbitrary frames thrown at the command parser, and at a
 * real server, always get a reply or an `error` event (S4), never crash it
 * and cost other members nothing.
 */

import assert from "node:assert/strict";
// Test-only: deno.test.json maps it, so `deno task start` never fetches it.
import fc from "fast-check";
import { startServer } from "../test_util/natter.ts";
import { type Event, V1Client } from "../test_util/v1.ts";
import { parseCommand } from "./commands.ts";

/** Frames close to commands: JSON objects with command-like fields. */
const commandLike = fc.record({
  type: fc.oneof(
    fc.constantFrom("join", "send", "leave", "history", "members", "dance"),
    fc.anything(),
  ),
  room: fc.oneof(fc.constantFrom("lobby", "fuzz", "", "a b"), fc.anything()),
  text: fc.oneof(fc.string(), fc.anything()),
  nick: fc.oneof(fc.string(), fc.anything()),
  id: fc.oneof(fc.integer(), fc.string(), fc.anything()),
  before: fc.oneof(fc.nat(), fc.anything()),
  limit: fc.oneof(fc.nat(), fc.anything()),
  since: fc.oneof(
    fc.record({ epoch: fc.string(), offset: fc.integer() }),
    fc.anything(),
  ),
}, { requiredKeys: [] }).map((fields) => JSON.stringify(fields) ?? "null");

/** Any frame a client might send. */
const frames = fc.oneof(
  commandLike,
  fc.json(),
  fc.string(),
  fc.string({ unit: "binary" }),
);

Deno.test("parseCommand() answers every frame with a command or an error (S4)", () => {
  fc.assert(
    fc.property(frames, (frame) => {
      const parsed = parseCommand(frame);
      if (parsed.ok) {
        assert.ok(
          ["join", "send", "leave", "history", "members"].includes(
            parsed.command.type,
          ),
        );
      } else {
        assert.equal(typeof parsed.error.code, "string");
        assert.equal(typeof parsed.error.message, "string");
      }
    }),
    { numRuns: 5000 },
  );
});

Deno.test("the server answers arbitrary frames and costs bystanders nothing (S4)", async () => {
  await using server = startServer();
  await using bystander = await V1Client.open(server.wsUrl);
  // The fuzz never names this room, so it cannot leave it.
  const room = "probe.room";
  await bystander.join(room);
  // A connection may have only so many commands refused (then it is closed
  // with 1008): a fresh one takes over every FRAMES_EACH frames.
  const FRAMES_EACH = 40;
  const fuzzers: V1Client[] = [];
  let fuzzer: V1Client | undefined;
  let sent = 0;
  try {
    await fc.assert(
      fc.asyncProperty(frames, async (frame) => {
        if (!fuzzer || sent % FRAMES_EACH === 0) {
          fuzzer = await V1Client.open(server.wsUrl);
          fuzzers.push(fuzzer);
          await fuzzer.join(room);
        }
        // Every frame is followed by a probe whose answer comes after the
        // frame's own: the frame was answered (or was a command whose
        // answer already came) and the connection is still up.
        const before = fuzzer.events.length;
        fuzzer.socket.send(frame);
        // The probe's id is one no frame's id can be taken for: a frame may
        // carry any id, a number the test client would give included.
        const id = `probe-${sent}-${crypto.randomUUID()}`;
        fuzzer.send({ type: "send", room, text: `after ${sent}`, id });
        const probe = await fuzzer.waitFor(
          (e) => e.id === id && e.type !== "message",
          `the answer to the probe after ${frame}`,
        );
        assert.equal(probe.type, "ack", JSON.stringify(probe));
        const answers = fuzzer.events.slice(before).filter((e: Event) =>
          e.type !== "message" && e.type !== "presence" && e !== probe
        );
        assert.ok(answers.length >= 1, `no answer to ${frame}`);
        // A bystander's message still goes through to everyone.
        const text = `probe ${++sent}`;
        const ack = await bystander.request({ type: "send", room, text });
        assert.equal(ack.type, "ack");
        await fuzzer.waitFor(
          (e) => e.type === "message" && e.text === text,
          text,
        );
      }),
      { numRuns: 300 },
    );
    for (const each of fuzzers) {
      assert.equal(each.socket.readyState, WebSocket.OPEN);
    }
  } finally {
    for (const each of fuzzers) await each[Symbol.asyncDispose]();
  }
});
