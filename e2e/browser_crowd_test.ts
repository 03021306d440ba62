/**
 * The page in a room of 2,000, in headless Chromium: it reads a page of
 * members only when the list's end is in view (C8), and holds at most 1,000.
 */

import assert from "node:assert/strict";
import { freeDescriptors } from "../http/listen/descriptors.ts";
import {
  browserTest,
  launch,
  openPage,
  people,
  plainClient,
  waitForJoined,
} from "../test_util/browser.ts";
import {
  reads,
  recordFrames,
  scrollToEnd,
  settle,
  waitForTitle,
} from "../test_util/big_room_page.ts";
import { isCI } from "../test_util/ci.ts";
import { type ChatClient, startServer, until } from "../test_util/natter.ts";

/** Members of the room the page must not read whole: two sockets each. */
const CROWD = 2000;
const free = freeDescriptors({ max: 3 * CROWD });
const short = free !== undefined && free < 3 * CROWD && !isCI();
if (short) {
  console.log(`the room of ${CROWD} is skipped: ${free} descriptors free`);
}

Deno.test(
  "C8: in a room of 2,000 the page reads a page only when the list's end is in view, and holds at most 1,000",
  { ignore: browserTest.ignore || short },
  async () => {
    await using server = startServer();
    const crowd: ChatClient[] = [];
    for (let i = 0; i < CROWD; i += 250) {
      crowd.push(
        ...await Promise.all(
          Array.from({ length: 250 }, () => plainClient(server)),
        ),
      );
    }
    await using _crowd = {
      [Symbol.asyncDispose]: async () => {
        await Promise.all(crowd.map((c) => c[Symbol.asyncDispose]()));
      },
    };
    await until(() => server.members() >= CROWD, `${CROWD} members`);
    await using browser = await launch();
    const { page, problems } = await openPage(browser, "about:blank", {
      nick: "ana",
    });
    const frames = recordFrames(page);
    await page.goto(server.origin + "/");
    await waitForJoined(page);
    await waitForTitle(page, `In #lobby: ${CROWD + 1} people`);
    await settle(page, frames, "hello, crowd");
    assert.equal(reads(frames).length, 0);

    // One read each time the end comes into view, until the list holds 1,000.
    for (let i = 1; i <= 9; i++) {
      await scrollToEnd(page, (await people(page)).length);
      await settle(page, frames, `scrolled ${i}`);
      assert.equal(reads(frames).length, i, `reads after ${i} scrolls`);
    }
    await page.locator("#members-more", { hasText: "beyond the 1000" })
      .waitFor();
    await page.locator("#members-more").scrollIntoViewIfNeeded();
    await settle(page, frames, "scrolled once more");
    assert.equal(reads(frames).length, 9, "no read past the cap");
    assert.ok((await people(page)).length <= 1001);
    assert.deepEqual(problems.errors, []);
  },
);
