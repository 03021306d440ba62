/**
 * A big room's arrivals: presence news that stays bounded per member, and
 * joins of one turn that share the store's work.
 */

import assert from "node:assert/strict";
import type { Batch } from "./batch.ts";
import type { Join, Subscriber, Welcome } from "./subscriber.ts";
import { Hub } from "../hub.ts";
import { EVENTS } from "../protocol/events.ts";
import { MemoryStore } from "../store/memory.ts";
import type { Position, Replay } from "../store/store.ts";
import { deadline } from "../test_util/natter.ts";

/** A member that keeps the frames it is offered and its welcome. */
class Member implements Subscriber {
  readonly frames: string[] = [];
  readonly welcomed = Promise.withResolvers<Welcome>();
  offer(batch: Batch): boolean {
    this.frames.push(batch.frame(EVENTS));
    return true;
  }
  welcome(welcome: Welcome): void {
    this.welcomed.resolve(welcome);
  }
  refused(): void {}
  release(): void {}
  /** The presence events offered, parsed. */
  presence(): { joined: unknown[]; left: unknown[]; count: number }[] {
    return this.frames.flatMap((frame) => JSON.parse(frame))
      .filter((event) => event.type === "presence");
  }
}

/** A memory store that counts its replays. */
class CountingStore extends MemoryStore {
  replays = 0;
  override replay(
    room: string,
    upTo: number,
    options: { since?: Position; limit: number },
  ): Promise<Replay> {
    this.replays++;
    return super.replay(room, upTo, options);
  }
}

const joinOf = (subscriber: Subscriber, i: number, since?: Position): Join => ({
  subscriber,
  member: { client: `c${String(i).padStart(5, "0")}`, nick: `n${i}` },
  welcome: { since },
});

Deno.test("A storm of 2,000 joins costs each member a bounded amount of presence", async () => {
  await using hub = new Hub("big", new MemoryStore(), {
    presenceInterval: 50,
  });
  const members = Array.from({ length: 2000 }, () => new Member());
  // Twenty turns of a hundred joins each, each turn's joins sent at once.
  for (let turn = 0; turn < 20; turn++) {
    const batch = members.slice(turn * 100, turn * 100 + 100);
    for (const [i, member] of batch.entries()) {
      assert.ok(hub.register.trySend(joinOf(member, turn * 100 + i)));
    }
    await deadline(
      Promise.all(batch.map((member) => member.welcomed.promise)),
      `turn ${turn}'s welcomes`,
    );
  }
  const first = members[0];
  // The count reaches every member in the end, at most twice a second... or
  // here every 50 ms.
  await deadline(
    (async () => {
      while (first.presence().at(-1)?.count !== 2000) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })(),
    "the final count",
  );
  const events = first.presence();
  // Lists while the room was small (up to 200), the count alone after.
  const listed = events.filter((e) => e.joined.length > 0);
  assert.ok(listed.every((e) => e.count <= 200), "lists only up to 200");
  assert.ok(listed.length >= 1, "the first arrivals were listed");
  assert.ok(
    events.filter((e) => e.count > 200).every((e) =>
      e.joined.length === 0 && e.left.length === 0
    ),
    "count only above 200",
  );
  const bytes = first.frames.reduce((sum, frame) => sum + frame.length, 0);
  assert.ok(bytes < 16 * 1024, `the first member got ${bytes} bytes`);
  // A late joiner's welcome lists the first page and counts everyone.
  const welcome = await members[1999].welcomed.promise;
  assert.equal(welcome.count, 2000);
  assert.equal(welcome.presence.members.length, 100);
  assert.equal(welcome.presence.next, "c00099");
});

Deno.test("The joins of one turn share the replay of their starting point and the member page", async () => {
  const store = new CountingStore();
  await using hub = new Hub("r", store);
  const writer = new Member();
  hub.register.trySend(joinOf(writer, 99_999));
  await deadline(writer.welcomed.promise, "the writer's welcome");
  const from = writer.frames.length;
  const sender = { refuse() {} };
  for (let i = 0; i < 5; i++) {
    hub.intake.offer(sender, {
      text: `m${i}`,
      from: { client: "c99999", nick: "w" },
      sender: writer,
    });
  }
  await deadline(
    (async () => {
      while (!writer.frames.slice(from).join().includes('"offset":5')) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })(),
    "the five messages",
  );
  const { epoch } = (await writer.welcomed.promise).position;
  store.replays = 0;
  const fresh = Array.from({ length: 40 }, () => new Member());
  const since = Array.from({ length: 20 }, () => new Member());
  for (const [i, member] of fresh.entries()) {
    hub.register.trySend(joinOf(member, i));
  }
  for (const [i, member] of since.entries()) {
    hub.register.trySend(joinOf(member, 100 + i, { epoch, offset: 3 }));
  }
  const welcomes = await deadline(
    Promise.all([...fresh, ...since].map((m) => m.welcomed.promise)),
    "sixty welcomes",
  );
  assert.equal(store.replays, 2, "one replay per starting point");
  const [a, b] = [welcomes[0], welcomes[39]];
  assert.equal(a.history, b.history, "one history for the fresh joins");
  assert.equal(a.history.length, 5);
  assert.equal(a.presence, b.presence, "one member page for the turn");
  const recovered = welcomes[40];
  assert.equal(recovered.recovered, true);
  assert.deepEqual(recovered.history.map((m) => m.offset), [4, 5]);
  assert.equal(welcomes[59].history, recovered.history);
});
