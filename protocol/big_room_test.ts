/**
 * natter.v1 in a big room (E2, C1, C8): presence events carry only the count
 * above the room's presence limit, at most once per interval, and lists come
 * back at the resume size; the members are read with `members` meanwhile.
 * The sizes are made small here: 4 members for the limit, 2 for resuming.
 */

import assert from "node:assert/strict";
import { startServer } from "../test_util/natter.ts";
import { type Event, V1Client } from "../test_util/v1.ts";

const isPresence = (e: Event) => e.type === "presence" && e.room === "big";

Deno.test("E2: presence lists up to the limit, the count alone above it, lists again at the resume size", async () => {
  await using server = startServer({
    presenceLimit: 4,
    presenceResume: 2,
    presenceInterval: 100,
  });
  const clients: V1Client[] = [];
  try {
    for (let i = 0; i < 8; i++) {
      const client = await V1Client.open(server.wsUrl);
      clients.push(client);
      const joined = await client.join("big", { nick: `n${i}` });
      assert.equal(joined.count, i + 1, "C1: joined counts every member");
    }
    const first = clients[0];
    const countOnly = await first.waitFor(
      (e) => isPresence(e) && e.count === 8,
      "the count of 8",
    );
    assert.deepEqual(countOnly.joined, [], "no list above the limit");
    assert.deepEqual(countOnly.left, []);
    const events = first.events.filter(isPresence);
    assert.deepEqual(
      events.filter((e) => e.joined.length > 0).map((e) => e.count),
      [2, 3, 4],
      "each arrival listed up to the limit",
    );
    // At most one count-only event per 100 ms for the four arrivals above
    // the limit, each with the count as it was when sent.
    const counts = events.filter((e) => e.count > 4).map((e) => e.count);
    assert.ok(counts.length <= 4, `count-only events: ${counts}`);
    assert.equal(counts.at(-1), 8);
    // C8 reads the members meanwhile, all of them.
    const page = await first.request({ type: "members", room: "big" });
    assert.equal(page.count, 8);
    assert.equal(page.members.length, 8);
    // Down to 3: still the count alone; down to 2: lists again.
    const mark = first.events.length;
    const later = (e: Event) => first.events.indexOf(e) >= mark;
    for (const leaver of clients.splice(3)) {
      await leaver.request({ type: "leave", room: "big" });
      await leaver[Symbol.asyncDispose]();
    }
    const three = await first.waitFor(
      (e) => later(e) && isPresence(e) && e.count === 3,
      "the count of 3",
    );
    assert.deepEqual(three.joined, []);
    assert.deepEqual(three.left, []);
    const leaver = clients.pop()!;
    const gone = (await leaver.request({ type: "leave", room: "big" })).id;
    assert.ok(gone);
    const resumed = await first.waitFor(
      (e) => later(e) && isPresence(e) && e.count === 2,
      "the count of 2",
    );
    assert.deepEqual(resumed.left.map((m: Event) => m.nick), ["n2"]);
    await leaver[Symbol.asyncDispose]();
  } finally {
    for (const client of clients) await client[Symbol.asyncDispose]();
  }
});

Deno.test("E2: 600 arrivals cost the first member a few kilobytes of presence", async () => {
  await using server = startServer({ presenceInterval: 50 });
  const clients: V1Client[] = [];
  try {
    const first = await V1Client.open(server.wsUrl);
    clients.push(first);
    await first.join("big", { nick: "first" });
    const bytesFrom = first.events.length;
    // 600 joins, 50 at a time.
    for (let i = 0; i < 600; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, () => V1Client.open(server.wsUrl)),
      );
      clients.push(...batch);
      await Promise.all(
        batch.map((client, j) => client.join("big", { nick: `n${i + j}` })),
      );
    }
    await first.waitFor(
      (e) => isPresence(e) && e.count === 601,
      "the count of 601",
    );
    const presence = first.events.slice(bytesFrom).filter(isPresence);
    const bytes = presence.reduce((n, e) => n + JSON.stringify(e).length, 0);
    // Listing all 600 would be 600 members of about 35 bytes each, 21 KB.
    assert.ok(bytes < 12_000, `${presence.length} events, ${bytes} bytes`);
    assert.ok(
      presence.filter((e) => e.count > 200).every((e) => e.joined.length === 0),
      "no lists above 200",
    );
  } finally {
    await Promise.all(clients.map((client) => client[Symbol.asyncDispose]()));
  }
});
