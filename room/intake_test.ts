import assert from "node:assert/strict";
import { Channel } from "../util/channel.ts";
import type { CloseReason } from "../util/close_reasons.ts";
import { Intake, type Speaker, TOO_FAST } from "./intake.ts";

/** A sender that records how it was refused. */
function speaker(
  name: string,
): Speaker & { name: string; refused: CloseReason[] } {
  const refused: CloseReason[] = [];
  return { name, refused, refuse: (close) => void refused.push(close) };
}

/** Takes everything `channel` delivers until `count` messages came. */
async function take(
  channel: Channel<string>,
  count: number,
): Promise<string[]> {
  const out: string[] = [];
  while (out.length < count) {
    await channel.wait();
    out.push(...channel.takeAll());
    // Let the intake move its next message in.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return out;
}

Deno.test("Intake.offer() hands messages straight on while there is room", () => {
  const channel = new Channel<string>(4);
  const intake = new Intake(channel);
  assert.ok(intake.offer(speaker("a"), "a1"));
  assert.ok(intake.offer(speaker("b"), "b1"));
  assert.equal(intake.size, 0);
  assert.deepEqual(channel.takeAll(), ["a1", "b1"]);
});

Deno.test("Intake keeps a burst until the channel has room, in order for each sender", async () => {
  const channel = new Channel<string>(2);
  const intake = new Intake(channel, { capacity: 1000 });
  const a = speaker("a");
  for (let i = 0; i < 500; i++) assert.ok(intake.offer(a, `a${i}`));
  assert.equal(intake.size, 497);
  const got = await take(channel, 500);
  assert.deepEqual(got, Array.from({ length: 500 }, (_, i) => `a${i}`));
  assert.equal(intake.size, 0);
  assert.deepEqual(a.refused, []);
});

Deno.test("Intake lets waiting senders take turns", async () => {
  const channel = new Channel<string>(1);
  const intake = new Intake(channel);
  const [a, b] = [speaker("a"), speaker("b")];
  for (const m of ["a1", "a2", "a3", "a4"]) intake.offer(a, m);
  for (const m of ["b1", "b2"]) intake.offer(b, m);
  // a1 and a2 went on before b spoke; from then on a and b alternate.
  assert.deepEqual(await take(channel, 6), [
    "a1",
    "a2",
    "a3",
    "b1",
    "a4",
    "b2",
  ]);
});

Deno.test("Intake refuses the sender with the most waiting when too many wait", async (t) => {
  await t.step(
    "another sender: it is closed, its waiting dropped",
    async () => {
      const channel = new Channel<string>(1);
      const intake = new Intake(channel, { capacity: 10 });
      const [loud, quiet] = [speaker("loud"), speaker("quiet")];
      // "first" goes into the channel, "loud 0" waits inside it for room.
      intake.offer(loud, "first");
      for (let i = 0; i < 10; i++) intake.offer(loud, `loud ${i}`);
      intake.offer(quiet, "quiet 0");
      assert.equal(intake.size, 10);
      // One more than the bound: loud has the most waiting (above its share).
      assert.ok(intake.offer(quiet, "quiet 1"));
      assert.deepEqual(loud.refused, [TOO_FAST]);
      assert.deepEqual(quiet.refused, []);
      assert.equal(intake.size, 2);
      // What loud had in the channel already stays; what waited is gone.
      assert.deepEqual(await take(channel, 4), [
        "first",
        "loud 0",
        "quiet 0",
        "quiet 1",
      ]);
    },
  );
  await t.step("the sender itself: its message is dropped", () => {
    const channel = new Channel<string>(1);
    const intake = new Intake(channel, { capacity: 3 });
    const loud = speaker("loud");
    intake.offer(loud, "in the channel");
    for (let i = 0; i < 4; i++) intake.offer(loud, `waiting ${i}`);
    assert.equal(intake.offer(loud, "one too many"), false);
    assert.deepEqual(loud.refused, [TOO_FAST]);
    assert.equal(intake.size, 0);
  });
});

Deno.test("Intake drops what waits once the channel is closed", async () => {
  const channel = new Channel<string>(1);
  const intake = new Intake(channel);
  const a = speaker("a");
  intake.offer(a, "a1");
  intake.offer(a, "a2");
  intake.offer(a, "a3");
  channel.close();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(intake.size, 0);
  assert.ok(intake.offer(a, "a4"));
  assert.equal(intake.size, 0);
  assert.deepEqual(a.refused, []);
});

Deno.test("Intake() refuses a capacity that is not a positive integer", () => {
  assert.throws(() => new Intake(new Channel(1), { capacity: 0 }), /"0"/);
});
