/**
 * The page chatting in headless Chromium: what it shows, what it sends, and
 * that it runs under its own Content-Security-Policy. Reconnection, layout
 * and the screenshot are in `browser_page_test.ts`.
 */

import assert from "node:assert/strict";
import {
  browserTest,
  connectedPage,
  cspViolations,
  launch,
  lines,
  openPage,
  say,
  waitForConnected,
  waitForLines,
} from "./test_util/browser.ts";
import { openClients, startServer } from "./test_util/natter.ts";

Deno.test(
  "P2, I4: two pages chat and each sees both messages in the same order",
  browserTest,
  async () => {
    await using server = startServer();
    await using browser = await launch();
    const a = await openPage(browser, server.origin + "/");
    const b = await openPage(browser, server.origin + "/");
    await waitForConnected(server, [a.page, b.page]);
    await Promise.all([
      say(a.page, "hello from a"),
      say(b.page, "hello from b"),
    ]);
    for (const { page } of [a, b]) await waitForLines(page, 2);
    const seen = await lines(a.page);
    assert.deepEqual(seen.toSorted(), ["hello from a", "hello from b"]);
    assert.deepEqual(await lines(b.page), seen);
    assert.equal(await a.page.inputValue("#msg"), "", "the input is cleared");
    assert.deepEqual([...a.problems.errors, ...b.problems.errors], []);
  },
);

Deno.test(
  "O1, P2: a coalesced burst shows one line per message",
  browserTest,
  async () => {
    await using server = startServer();
    await using browser = await launch();
    const { page } = await openPage(browser, "about:blank");
    let frames = 0;
    page.on("websocket", (ws) => ws.on("framereceived", () => frames++));
    await page.goto(server.origin + "/");
    await waitForConnected(server, [page]);
    await using sender = (await openClients(server, 1))[0];
    const burst = Array.from({ length: 200 }, (_, i) => `burst ${i}`);
    for (const m of burst) sender.send(m);
    await sender.waitForMessages(burst.length);
    await waitForLines(page, burst.length);
    assert.deepEqual(await lines(page), burst);
    assert.ok(
      frames < burst.length,
      `${burst.length} messages, ${frames} frames`,
    );
  },
);

Deno.test("P3: scroll preservation", browserTest, async (t) => {
  await using server = startServer();
  await using browser = await launch();
  const { page } = await openPage(browser, server.origin + "/", {
    height: 400,
  });
  await waitForConnected(server, [page]);
  await using sender = (await openClients(server, 1))[0];
  const log = page.locator("#log");
  const scroll = () =>
    log.evaluate((el) => ({
      top: el.scrollTop,
      gap: el.scrollHeight - el.scrollTop - el.clientHeight,
      overflowing: el.scrollHeight > el.clientHeight,
    }));
  let count = 0;
  const receive = async () => {
    sender.send(`line ${count++}`);
    await waitForLines(page, count);
    return await scroll();
  };

  await t.step(
    "not overflowing, it follows, up to the line that overflows",
    async () => {
      let after: Awaited<ReturnType<typeof scroll>>;
      do {
        after = await receive();
        assert.ok(after.gap < 1, `line ${count} left a ${after.gap} px gap`);
      } while (!after.overflowing);
      assert.ok(after.top > 0, "the overflowing line was scrolled into view");
    },
  );

  await t.step("at the bottom, it follows", async () => {
    for (let i = 0; i < 3; i++) assert.ok((await receive()).gap < 1);
  });

  await t.step("scrolled up, a new line does not move it", async () => {
    await log.evaluate((el) => el.scrollTop = 10);
    assert.equal((await receive()).top, 10);
  });

  await t.step("1 px above the bottom counts as scrolled up", async () => {
    const top = await log.evaluate((el) =>
      el.scrollTop = el.scrollHeight - el.clientHeight - 1
    );
    const after = await receive();
    assert.equal(after.top, top);
    assert.ok(after.gap > 1);
  });

  await t.step("back at the bottom, it follows again", async () => {
    await log.evaluate((el) => el.scrollTop = el.scrollHeight);
    assert.ok((await receive()).gap < 1);
  });
});

Deno.test(
  "P2: a message that looks like HTML is shown as text and runs nothing",
  browserTest,
  async () => {
    await using chat = await connectedPage();
    const { server, page, problems } = chat;
    await using sender = (await openClients(server, 1))[0];
    const attacks = [
      "<img src=x onerror=alert(1)>",
      "<script>alert(2)</script><b>bold</b>",
    ];
    for (const attack of attacks) sender.send(attack);
    await waitForLines(page, 2);
    assert.deepEqual(await lines(page), attacks);
    assert.equal(
      await page.locator("#log img, #log script, #log b").count(),
      0,
    );
    assert.deepEqual(problems.dialogs, [], "no alert ran");
    assert.deepEqual(await cspViolations(page), []);
  },
);

Deno.test(
  "P4: empty input sends nothing, white space is sent, the page stays",
  browserTest,
  async () => {
    await using chat = await connectedPage();
    const { server, page } = chat;
    await using observer = (await openClients(server, 1))[0];
    await say(page, "");
    await say(page, " \t ");
    assert.equal(await page.inputValue("#msg"), "", "cleared after sending");
    await say(page, "after");
    // The white space arrives trimmed to an empty message (I1, I2); the
    // empty input sent nothing, or "after" would be the third message.
    assert.deepEqual(await observer.waitForMessages(2), ["", "after"]);
    await waitForLines(page, 2);
    assert.deepEqual(await lines(page), ["", "after"]);
    assert.equal(page.url(), server.origin + "/", "the page did not navigate");
  },
);

Deno.test(
  "P4: keyboard only, Enter sends and focus stays in the labelled input",
  browserTest,
  async () => {
    await using chat = await connectedPage();
    const { page } = chat;
    const focused = () => page.evaluate<string>("document.activeElement.id");
    // autofocus: typing goes to the input without a click.
    assert.equal(await focused(), "msg");
    await page.keyboard.type("typed without a mouse");
    await page.keyboard.press("Enter");
    await waitForLines(page, 1);
    assert.equal(await focused(), "msg");
    await page.keyboard.type("again");
    await page.keyboard.press("Enter");
    await waitForLines(page, 2);
    assert.deepEqual(await lines(page), ["typed without a mouse", "again"]);
    assert.equal(await focused(), "msg");
    // Tab reaches the button, which sends too, and focus comes back.
    await page.keyboard.type("by the button");
    await page.keyboard.press("Tab");
    assert.equal(await focused(), "send");
    await page.keyboard.press("Enter");
    await waitForLines(page, 3);
    assert.equal(await focused(), "msg");
    // The log is a live region that the keyboard can reach to scroll.
    await page.keyboard.press("Shift+Tab");
    assert.equal(await focused(), "log");
    assert.equal(await page.getAttribute("#log", "role"), "log");
    assert.equal(await page.getAttribute("#log", "aria-live"), "polite");
    assert.equal(await page.locator("label[for=msg]").textContent(), "Message");
  },
);

Deno.test(
  "CSP: the page runs and connects under its policy, which would report a violation",
  browserTest,
  async () => {
    await using server = startServer();
    await using browser = await launch();
    const { page, problems } = await openPage(browser, server.origin + "/");
    // The inline script ran (its hash is allowed) and its WebSocket to its
    // own origin opened ('self' covers ws:).
    await waitForConnected(server, [page]);
    const styled = await page.evaluate<string>(
      "getComputedStyle(document.getElementById('send')).borderRadius",
    );
    assert.notEqual(styled, "0px", "the inline style applied");
    assert.deepEqual(await cspViolations(page), []);
    assert.deepEqual(problems.errors, []);
    // Control: script the policy does not allow is blocked and reported.
    await page.evaluate(`{
      const script = document.createElement("script");
      script.textContent = "document.title = 'injected'";
      document.body.append(script);
    }`);
    await page.waitForFunction("__cspViolations.length > 0");
    assert.match((await cspViolations(page)).join(), /script-src/);
    assert.equal(await page.title(), "natter");
  },
);
