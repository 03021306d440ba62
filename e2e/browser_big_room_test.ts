/**
 * The page in rooms too large to list at once, in headless Chromium: the
 * count kept current, the member list read page by page as it is scrolled
 * (C1, C8), count-only presence (E2) never reread on a timer, a read refused
 * as `rate_limited` tried again (a room of 2,000 is in
 * browser_crowd_test.ts).
 */

import assert from "node:assert/strict";
import {
  browserTest,
  launch,
  openPage,
  people,
  waitForJoined,
  waitForPeople,
} from "../test_util/browser.ts";
import {
  joinLobby,
  reads,
  recordFrames,
  scrollToEnd,
  settle,
  waitForTitle,
} from "../test_util/big_room_page.ts";
import { startServer } from "../test_util/natter.ts";
import type { Event, V1Client } from "../test_util/v1.ts";

Deno.test(
  "C1, C8, E2: in a room of 251 the page shows the count and the first page, and reads the next pages as the list is scrolled to its end",
  browserTest,
  async () => {
    await using server = startServer();
    await using stack = new AsyncDisposableStack();
    const nicks = Array.from({ length: 250 }, (_, i) => `m${i + 101}`);
    const clients = await joinLobby(server, stack, nicks, 50);
    await using browser = await launch();
    const { page, problems } = await openPage(browser, "about:blank", {
      nick: "ana",
    });
    const frames = recordFrames(page);
    await page.goto(server.origin + "/");
    await waitForJoined(page);
    await waitForTitle(page, "In #lobby: 251 people");
    assert.equal(await page.textContent("#panel-toggle"), "251 people");

    // The first page, as the join brought it, and nothing read yet.
    const joined = frames.find((e) => e.type === "joined")!;
    assert.equal(joined.presence.length, 100);
    const firstPage = joined.presence
      .filter((m: Event) => m.client !== joined.client)
      .map((m: Event) => m.nick);
    assert.deepEqual(await people(page), ["ana (you)", ...firstPage]);
    await settle(page, frames, "hello, big room");
    assert.deepEqual(
      reads(frames),
      [],
      "no page read before it is scrolled to",
    );

    let shown = (await people(page)).length;
    while (await page.isVisible("#members-more")) {
      await scrollToEnd(page, shown);
      shown = (await people(page)).length;
    }
    assert.deepEqual(
      (await people(page)).toSorted(),
      ["ana (you)", ...nicks].toSorted(),
    );
    // Two pages after the first, each after the last member read before it.
    const reply = frames.find((e) =>
      e.way === "received" && e.type === "members"
    );
    assert.deepEqual(reads(frames).map((c) => c.after), [
      joined.presence.at(-1).client,
      reply?.next,
    ]);

    await clients[0][Symbol.asyncDispose]();
    await waitForTitle(page, "In #lobby: 250 people");
    assert.equal(await page.textContent("#panel-toggle"), "250 people");
    await page.locator("#members-live").waitFor(); // above natter's 200
    assert.deepEqual(problems.errors, []);
  },
);

Deno.test(
  "E2: in a room too large for presence lists the count stays current, the list says it is not live and is read again only when asked, and afresh when lists resume",
  browserTest,
  async (t) => {
    // Lists stop above 5 members, and resume at 3 or fewer.
    await using server = startServer({
      memberPage: 2,
      presenceLimit: 5,
      presenceResume: 3,
      presenceInterval: 50,
    });
    await using stack = new AsyncDisposableStack();
    const [, , m3, m4] = await joinLobby(server, stack, [
      "m1",
      "m2",
      "m3",
      "m4",
    ]);
    await using browser = await launch();
    const { page, problems } = await openPage(browser, "about:blank", {
      nick: "ana",
    });
    await page.clock.install();
    const frames = recordFrames(page);
    await page.goto(server.origin + "/");
    const everyone = ["ana (you)", "m1", "m2", "m3", "m4"];
    await waitForPeople(page, everyone);
    const live = page.locator("#members-live");
    assert.equal(await live.isHidden(), true, "5 members are listed");
    let m5: V1Client;

    await t.step("above the limit, the count alone changes", async () => {
      const before = reads(frames).length;
      [m5] = await joinLobby(server, stack, ["m5"]);
      await waitForTitle(page, "In #lobby: 6 people");
      assert.equal(await page.textContent("#panel-toggle"), "6 people");
      await live.waitFor();
      assert.equal(await page.textContent("#members-more"), "and 1 more");
      await page.clock.runFor(60_000); // the old page reread every 10 s
      await settle(page, frames, "a minute later");
      assert.equal(reads(frames).length, before, "nothing read");
      assert.deepEqual(await people(page), everyone);
    });

    await t.step("Read it again reads the list from its start", async () => {
      const before = reads(frames).length;
      await page.click("#members-reread");
      await waitForPeople(page, [...everyone, "m5"]);
      assert.equal(reads(frames)[before].after, undefined, "from the start");
      assert.equal(await live.isVisible(), true, "still not live");
    });

    await t.step("lists again: the list is read afresh", async () => {
      const before = reads(frames).length;
      // m5 and m4 leave unnamed; m3's leave, at 3 members, is listed again.
      for (const member of [m5, m4, m3]) {
        await member.request({ type: "leave", room: "lobby" });
      }
      await waitForPeople(page, ["ana (you)", "m1", "m2"]);
      await waitForTitle(page, "In #lobby: 3 people");
      assert.equal(reads(frames)[before].after, undefined, "from the start");
      assert.equal(await live.isHidden(), true);
    });
    assert.deepEqual(problems.errors, []);
  },
);

Deno.test(
  "C8: a members read refused as rate_limited is tried again later, one read at a time, until the list is whole",
  browserTest,
  async () => {
    await using server = startServer({ memberPage: 2, historyRate: 1 });
    await using stack = new AsyncDisposableStack();
    const nicks = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"];
    await joinLobby(server, stack, nicks);
    await using browser = await launch();
    const { page, problems } = await openPage(browser, "about:blank", {
      nick: "ana",
    });
    const frames = recordFrames(page);
    await page.goto(server.origin + "/");
    await waitForPeople(page, ["ana (you)", ...nicks]);
    // "read 5", then "answer 5" or "rate_limited 5": each read, as it went.
    const order = frames
      .filter((e) => e.type === "members" || e.type === "error")
      .map((e) => `${e.way === "sent" ? "read" : e.code ?? "answer"} ${e.id}`);
    assert.ok(order.some((o) => o.startsWith("rate_limited")), order.join());
    for (const [i, entry] of order.entries()) {
      if (i % 2 === 0) assert.match(entry, /^read /, order.join());
      else assert.equal(entry.split(" ")[1], order[i - 1].split(" ")[1]);
    }
    assert.deepEqual(problems.errors, []);
  },
);
