/**
 * The page under a prefix, in headless Chromium: natter mounted at `/chat`
 * of a bare `Deno.serve` serves the page at `/chat/r/{room}`, the page
 * connects to `/chat/ws`, chats with a plain client there, and every
 * address it moves to when switching rooms, going back, or reloading stays
 * under `/chat/`.
 */

import assert from "node:assert/strict";
import { createNatter } from "../mod.ts";
import {
  browserTest,
  cspViolations,
  launch,
  lines,
  openPage,
  say,
  waitForJoined,
  waitForLines,
} from "../test_util/browser.ts";
import { ChatClient, until } from "../test_util/natter.ts";

Deno.test(
  "R3: under the prefix /chat the page chats, and its room addresses stay under /chat/",
  browserTest,
  async () => {
    await using natter = createNatter({ prefix: "/chat" });
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (request, info) =>
        new URL(request.url).pathname === "/"
          ? new Response("the host's own home page")
          : natter.fetch(request, info),
    );
    await using _ = { [Symbol.asyncDispose]: () => server.shutdown() };
    const origin = `http://127.0.0.1:${server.addr.port}`;
    await using plain = await ChatClient.open(
      `ws://127.0.0.1:${server.addr.port}/chat/ws/x`,
    );
    await using browser = await launch();
    const { page, problems } = await openPage(browser, origin + "/chat/r/x", {
      nick: "ana",
    });
    const path = () => page.evaluate<string>("location.pathname");

    await waitForJoined(page, 2);
    assert.equal(await page.textContent("#room-title"), "#x");
    await say(page, "hello under a prefix");
    assert.deepEqual(await plain.waitForMessages(1), ["hello under a prefix"]);
    plain.send("hi back");
    await waitForLines(page, 2);
    assert.deepEqual(await lines(page), ["hello under a prefix", "hi back"]);

    // Another room through the page's form: its address is under /chat/.
    await page.fill("#room-name", "y");
    await page.press("#room-name", "Enter");
    await waitForJoined(page, 1);
    assert.equal(await path(), "/chat/r/y");
    assert.equal(await page.textContent("#room-title"), "#y");
    await until(() => natter.members("y") === 1, "the page in #y");

    // Back: the room of the address before, on the same socket.
    await page.goBack();
    await page.locator("#room-title", { hasText: "#x" }).waitFor();
    await waitForJoined(page, 2);
    assert.equal(await path(), "/chat/r/x");

    // The lobby is the prefix's own page.
    await page.fill("#room-name", "lobby");
    await page.press("#room-name", "Enter");
    await page.locator("#room-title", { hasText: "#lobby" }).waitFor();
    assert.equal(await path(), "/chat/");
    await until(() => natter.members("lobby") === 1, "the page in #lobby");

    // A reload at a room's address opens that room.
    await page.goto(origin + "/chat/r/y");
    await waitForJoined(page, 1);
    assert.equal(await page.textContent("#room-title"), "#y");
    await until(() => natter.members("y") === 1, "the reloaded page in #y");

    assert.deepEqual(problems.errors, []);
    assert.deepEqual(await cspViolations(page), []);
  },
);
