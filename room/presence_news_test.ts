import assert from "node:assert/strict";
import type { Notice, Presence } from "./batch.ts";
import { Members } from "./members.ts";
import { PresenceNews, type PresenceNewsOptions } from "./presence_news.ts";
import type { Subscriber } from "./subscriber.ts";
import type { Member } from "../store/store.ts";
import { NO_METER } from "../util/meter.ts";

/** A member that records the presence news it is offered. */
class Listener implements Subscriber {
  readonly told: Presence[] = [];
  offer(batch: { notices: readonly Notice[] }): boolean {
    for (const notice of batch.notices) {
      if (typeof notice !== "string") this.told.push(notice);
    }
    return true;
  }
  release(): void {}
  refused(): void {}
}

const member = (client: string): Member => ({ client, nick: null });

function setUp(options: Partial<PresenceNewsOptions> = {}) {
  const members = new Members(NO_METER);
  const listeners = [new Listener(), new Listener()];
  for (const [i, listener] of listeners.entries()) {
    members.add(listener, member(`m${i}`));
  }
  let clock = 0;
  let wakes = 0;
  const news = new PresenceNews("big", {
    members,
    limit: 10,
    resume: 6,
    interval: 500,
    wake: () => wakes++,
    now: () => clock,
    ...options,
  });
  return {
    news,
    listeners,
    advance: (ms: number) => clock += ms,
    wakes: () => wakes,
  };
}

Deno.test("PresenceNews lists every change at once up to the limit, skipping whom it is told to", () => {
  const { news, listeners } = setUp();
  news.tell([member("a")], [], 3, (s) => s === listeners[1]);
  news.tell([], [member("a")], 10);
  assert.deepEqual(listeners[0].told, [
    { room: "big", joined: [member("a")], left: [], count: 3 },
    { room: "big", joined: [], left: [member("a")], count: 10 },
  ]);
  assert.equal(listeners[1].told.length, 1);
  assert.equal(news.countOnly, false);
  news.close();
});

Deno.test("PresenceNews tells only the count above the limit, at most once per interval", () => {
  const { news, listeners, advance, wakes } = setUp();
  news.tell([member("x")], [], 11);
  assert.equal(news.countOnly, true);
  assert.equal(listeners[0].told.length, 0, "nothing until the Hub's turn");
  // The first count goes out on the Hub's next turn.
  news.due();
  const countOf = (count: number) => ({
    room: "big",
    joined: [],
    left: [],
    count,
  });
  assert.deepEqual(listeners[0].told, [countOf(11)]);
  // Then once per interval, with the latest count, however many changes.
  for (let count = 12; count <= 40; count++) {
    news.tell([member(`j${count}`)], [], count);
    news.due();
  }
  advance(499);
  news.due();
  assert.equal(listeners[0].told.length, 1, "not within the interval");
  advance(1);
  news.due();
  assert.deepEqual(listeners[0].told, [countOf(11), countOf(40)]);
  assert.deepEqual(listeners[1].told, listeners[0].told, "every member");
  // Nothing pending, nothing told.
  advance(10_000);
  news.due();
  assert.equal(listeners[0].told.length, 2);
  assert.equal(wakes(), 0, "no timer has fired in this test");
  news.close();
});

Deno.test("PresenceNews wakes the Hub when a count is due, on the real clock", async () => {
  let woken = Promise.withResolvers<void>();
  const { news, listeners } = setUp({
    interval: 30,
    now: undefined,
    wake: () => woken.resolve(),
  });
  news.tell([member("a")], [], 11);
  await deadline(woken.promise, "the first count's wake");
  news.due();
  assert.deepEqual(listeners[0].told.map((p) => p.count), [11]);
  woken = Promise.withResolvers<void>();
  news.tell([member("b")], [], 12);
  news.due(); // too soon: it sets the timer again
  assert.equal(listeners[0].told.length, 1);
  await deadline(woken.promise, "the second count's wake");
  news.due();
  assert.deepEqual(listeners[0].told.map((p) => p.count), [11, 12]);
  news.close();
});

Deno.test("PresenceNews resumes lists only at or below the resume size", () => {
  const { news, listeners } = setUp();
  news.tell([member("x")], [], 11);
  // Back at the limit: still count only, so a room hovering there does not
  // flip every member back to reading lists.
  news.tell([], [member("x")], 10);
  news.tell([], [member("y")], 7);
  assert.equal(news.countOnly, true);
  news.tell([], [member("z")], 6);
  assert.equal(news.countOnly, false);
  assert.deepEqual(listeners[0].told, [
    { room: "big", joined: [], left: [member("z")], count: 6 },
  ]);
  news.close();
});

Deno.test("PresenceNews waits 1 ms more per 10 members above 5,000", () => {
  const { news, listeners, advance } = setUp();
  news.tell([], [], 9000);
  news.due();
  assert.equal(listeners[0].told.length, 1);
  news.tell([member("x")], [], 9001);
  advance(500);
  news.due();
  assert.equal(listeners[0].told.length, 1, "500 ms is not enough at 9001");
  advance(400);
  news.due();
  assert.equal(listeners[0].told.length, 1, "nor 900 ms");
  advance(1);
  news.due();
  assert.equal(listeners[0].told.length, 2, "500 + 400.1 ms is");
  news.close();
});

/** `promise`, or a failure naming `what` after 5 s. */
async function deadline(promise: Promise<void>, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} in 5 s`)), 5000);
  });
  try {
    await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
