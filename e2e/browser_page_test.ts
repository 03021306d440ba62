/**
 * The page in headless Chromium, beyond chatting: history on join and
 * scrolling back, recovery after a server restart (C2) and what it says
 * when recovery is impossible, reconnecting by itself while keeping what
 * was typed (D6), a phone's width, both colour schemes with AA contrast, and
 * a screenshot.
 */

import assert from "node:assert/strict";
// Test-only: deno.test.json maps it, so `deno task start` never fetches it.
import type { Page } from "playwright-core";
import { MemoryStore, type MemoryStoreOptions } from "../store/memory.ts";
import {
  browserTest,
  connectedPage,
  converse,
  launch,
  lines,
  messages,
  notes,
  openPage,
  PAGE_DEADLINE_MS,
  plainClient,
  say,
  waitForJoined,
  waitForLines,
  waitForState,
} from "../test_util/browser.ts";
import { type ChatClient, startServer } from "../test_util/natter.ts";

/** What the page says when a reconnect could not recover every message. */
const NOT_RECOVERED =
  "Some messages could not be recovered; showing the latest.";

/** Sends `texts` from a plain client and waits until natter relayed them. */
async function post(client: ChatClient, texts: string[]): Promise<void> {
  const before = client.messages.length;
  for (const text of texts) client.send(text);
  await client.waitForMessages(before + texts.length);
}

/** `texts` as `messages()` shows them from a plain sender, from `offset` on. */
function anonymous(offset: number, texts: string[]): string[] {
  return texts.map((text, i) => `${offset + i} anonymous: ${text}`);
}

/** `["prefix 1", ...]`, `count` of them. */
function numbered(prefix: string, count: number, from = 1): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix} ${from + i}`);
}

Deno.test(
  "C1, C5: history on join, and older history when scrolled to the top, keeping the reader's place",
  browserTest,
  async () => {
    await using server = startServer();
    await using sender = await plainClient(server);
    const all = numbered("old", 130);
    await post(sender, all);
    await using browser = await launch();
    const { page, problems } = await openPage(browser, server.origin + "/", {
      nick: "ana",
      height: 500,
    });
    await waitForJoined(page);
    // The 50 most recent, read from the bottom.
    await waitForLines(page, 50);
    assert.deepEqual(await lines(page), all.slice(80));
    const gap = await page.locator("#log").evaluate((el) =>
      el.scrollHeight - el.scrollTop - el.clientHeight
    );
    assert.ok(gap < 1, "the log opens at its bottom");

    // Scrolled to the top: the 50 before them, and "old 81" stays put.
    const anchor = page.locator('#log .msg[data-offset="81"] .text');
    const y = () => anchor.evaluate((el) => el.getBoundingClientRect().top);
    const before = await anchor.evaluate((el) => {
      el.closest("#log")!.scrollTop = 0; // then the scroll event loads
      return el.getBoundingClientRect().top;
    });
    await waitForLines(page, 100);
    assert.ok(
      Math.abs(await y() - before) < 1,
      `the reader's place moved from ${before} to ${await y()}`,
    );

    // From the keyboard: Home goes to the top, which loads the rest.
    await page.focus("#log");
    await page.keyboard.press("Home");
    await waitForLines(page, 130);
    await page.locator("#top", { hasText: "This is the start of #lobby." })
      .waitFor();
    assert.deepEqual(await messages(page), anonymous(1, all));
    assert.deepEqual(problems.errors, []);
  },
);

Deno.test(
  "C2, D6, P5: after a server restart on the same port the page recovers what it missed, with no gap and no duplicate",
  browserTest,
  async () => {
    // The history outlives the server, as it would in a shared store.
    const store = new MemoryStore();
    const first = startServer({ store });
    const port = first.addr.port;
    await using browser = await launch();
    const { page, problems } = await openPage(browser, first.origin + "/", {
      nick: "ana",
    });
    await waitForJoined(page);
    await page.evaluate("window.notReloaded = true");
    {
      await using sender = await plainClient(first);
      await post(sender, numbered("before", 3));
      await waitForLines(page, 3);
      await first.shutdown();
    }

    await waitForState(page, "reconnecting");
    assert.match(
      await page.textContent("#status") ?? "",
      /^Reconnecting in \d+ s$/,
    );
    assert.deepEqual(await notes(page), [
      "Connection closed: server shutting down.",
    ]);
    assert.deepEqual(await page.locator("#members li").count(), 0);
    // Held offline while the others talk on.
    await page.context().setOffline(true);
    await waitForState(page, "offline");
    // Typed while disconnected: not sent, not lost, and the page says so.
    await page.fill("#msg", "kept while disconnected");
    await page.press("#msg", "Enter");
    assert.equal(await page.inputValue("#msg"), "kept while disconnected");
    assert.equal(await page.isDisabled("#send"), true);
    assert.equal(await page.textContent("#send"), "Can't send");
    assert.match(await page.textContent("#hint") ?? "", /Not connected/);

    await using second = startServer({ port, store });
    await using sender = await plainClient(second);
    await post(sender, numbered("missed", 3));
    await page.context().setOffline(false);
    await waitForJoined(page);
    await waitForLines(page, 6);
    assert.equal(await page.textContent("#hint"), "");
    assert.equal(await page.textContent("#send"), "Send");
    await page.press("#msg", "Enter");
    await post(sender, ["live"]);
    await waitForLines(page, 8);
    assert.deepEqual(await messages(page), [
      ...anonymous(1, [...numbered("before", 3), ...numbered("missed", 3)]),
      "7 ana: kept while disconnected",
      "8 anonymous: live",
    ]);
    assert.deepEqual(sender.messages.slice(-2), [
      "kept while disconnected",
      "live",
    ]);
    assert.deepEqual(await notes(page), [
      "Connection closed: server shutting down.",
    ]);
    assert.equal(await page.evaluate("window.notReloaded"), true);
    assert.equal(second.members(), 2, "one socket each, no duplicate joins");
    assert.deepEqual(problems.errors.filter((e) => !/WebSocket/.test(e)), []);
  },
);

/**
 * Has `page` see three messages on natter with the first store, restarts
 * natter with the second while the page is offline, posts `missed`, and
 * lets the page reconnect. Disposing the result stops the second natter.
 */
async function reconnectAcross(
  page: Page,
  stores: [MemoryStore, MemoryStore],
  missed: string[],
): Promise<AsyncDisposableStack> {
  const first = startServer({ store: stores[0] });
  const port = first.addr.port;
  await page.goto(first.origin + "/");
  await waitForJoined(page);
  {
    await using sender = await plainClient(first);
    await post(sender, numbered("seen", 3));
    await waitForLines(page, 3);
    await first.shutdown();
  }
  await waitForState(page, "reconnecting");
  await page.context().setOffline(true);
  await waitForState(page, "offline");
  await using stack = new AsyncDisposableStack();
  const second = stack.use(startServer({ port, store: stores[1] }));
  const sender = stack.use(await plainClient(second));
  await post(sender, missed);
  await page.context().setOffline(false);
  await waitForJoined(page);
  return stack.move();
}

Deno.test(
  "C2: when it cannot recover what it missed, the page says so and shows the latest, each once",
  browserTest,
  async (t) => {
    await using browser = await launch();
    const options: MemoryStoreOptions = { historySize: 5 };

    await t.step("the history moved on past what the page saw", async () => {
      const { page } = await openPage(browser, "about:blank", { nick: "ana" });
      const store = new MemoryStore(options);
      await using _ = await reconnectAcross(
        page,
        [store, store],
        numbered("missed", 8),
      );
      // Offsets 4 to 6 are gone; 7 to 11 are the room's latest five.
      await waitForLines(page, 8);
      assert.deepEqual(await messages(page), [
        ...anonymous(1, numbered("seen", 3)),
        ...anonymous(7, numbered("missed", 5, 4)),
      ]);
      assert.deepEqual(await notes(page), [
        "Connection closed: server shutting down.",
        NOT_RECOVERED,
      ]);
      await page.close();
    });

    await t.step("the history is another one (a new epoch)", async () => {
      const { page } = await openPage(browser, "about:blank", { nick: "ana" });
      await using _ = await reconnectAcross(
        page,
        [new MemoryStore(options), new MemoryStore(options)],
        ["after"],
      );
      // What was seen stays; the new history's offsets start again.
      await waitForLines(page, 4);
      assert.deepEqual(await messages(page), [
        ...anonymous(1, numbered("seen", 3)),
        "1 anonymous: after",
      ]);
      assert.deepEqual(await notes(page), [
        "Connection closed: server shutting down.",
        NOT_RECOVERED,
      ]);
      assert.equal(
        await page.textContent("#top"),
        "This is the start of #lobby.",
      );
      await page.close();
    });
  },
);

Deno.test(
  "D6: offline while disconnected, the page says so and reconnects when back online",
  browserTest,
  async () => {
    await using chat = await connectedPage();
    const { server: first, page } = chat;
    const port = first.addr.port;
    await first.shutdown();
    await waitForState(page, "reconnecting");
    await page.context().setOffline(true);
    await waitForState(page, "offline");
    assert.equal(await page.textContent("#status"), "Offline");
    assert.equal(await page.textContent("#announce"), "Offline");
    await using second = startServer({ port });
    await page.context().setOffline(false);
    await waitForState(page, "connected");
    await waitForJoined(page, 1);
    await using observer = await plainClient(second);
    await waitForJoined(page, 2);
    await say(page, "back");
    assert.deepEqual(await observer.waitForMessages(1), ["back"]);
  },
);

/** WCAG contrast ratios of the text of each selector against what is behind it. */
const CONTRAST = `(selectors) => {
  const rgb = (color) => color.match(/[\\d.]+/g).map(Number);
  const channel = (v) => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const behind = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c;
    }
    return rgb(getComputedStyle(document.documentElement).backgroundColor);
  };
  const ratio = (fg, bg) => {
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    return (hi + 0.05) / (lo + 0.05);
  };
  return Object.fromEntries(selectors.map(([selector, pseudo]) => {
    const el = document.querySelector(selector);
    if (!el) return [selector, 0];
    const fg = rgb(getComputedStyle(el, pseudo).color);
    return [selector + (pseudo ?? ""), Math.round(ratio(fg, behind(el)) * 100) / 100];
  }));
}`;

/** Asserts the texts of `selectors` meet WCAG AA (4.5:1). */
async function assertContrast(
  page: Page,
  what: string,
  selectors: [string, string?][],
): Promise<void> {
  const ratios = await page.evaluate<Record<string, number>>(
    `(${CONTRAST})(${JSON.stringify(selectors)})`,
  );
  for (const [name, ratio] of Object.entries(ratios)) {
    assert.ok(ratio >= 4.5, `${what}: ${name} has contrast ${ratio}`);
  }
}

/** Every text the page shows, in each of its states, meets WCAG AA. */
async function assertPageContrast(page: Page, scheme: string): Promise<void> {
  await assertContrast(page, `${scheme}, connected`, [
    ["h1 .brand"],
    ["#room-title"],
    ["#status"],
    ["#top"],
    ["#log .msg:not(.mine) .nick"],
    ["#log .msg:not(.mine) time"],
    ["#log .msg:not(.mine) .text"],
    ["#log .msg.mine .nick"],
    ["#log .msg.mine .you"],
    ["#log .msg.mine time"],
    ["#log .msg.mine .text"],
    ["#feed .note"],
    ["#identity"],
    ["#change-nick"],
    ["#msg", "::placeholder"],
    ["#send"],
    ["#jump"],
    ["#side label"],
    ["#room-name", "::placeholder"],
    ["#room-go"],
    ["#room-hint"],
    ["#members-title"],
    ["#members .me"],
    ["#members .you"],
    ["#members .verified"],
    ["#members-more"],
    ["#log .msg:not(.mine) .verified"],
    ["#log .msg.mine .verified"],
  ]);
  for (const state of ["connecting", "reconnecting", "offline"]) {
    // Colour only: the page's own script sets these states.
    await page.evaluate(`{
      document.getElementById("status").dataset.state = "${state}";
      document.getElementById("send").disabled = true;
      document.getElementById("hint").textContent = "Not connected";
    }`);
    await assertContrast(page, `${scheme}, ${state}`, [
      ["#status"],
      ["#send"],
      ["#hint"],
    ]);
  }
  await page.evaluate(`{
    document.getElementById("form").hidden = true;
    document.getElementById("nick-form").hidden = false;
    document.getElementById("nick-hint").textContent = "A nick has at most 32 characters.";
  }`);
  await assertContrast(page, `${scheme}, asking for a nick`, [
    ["#nick-label"],
    ["#nick", "::placeholder"],
    ["#nick-hint"],
    ["#nick-cancel"],
  ]);
}

/** Shows the page in every state that has text of its own to check. */
async function fillPage(page: Page, other: ChatClient): Promise<void> {
  await post(other, ["a message from someone else, long enough to wrap"]);
  await say(page, "and one of one's own, as long, to wrap on a phone");
  await waitForLines(page, 2);
  await page.evaluate(`{
    const note = document.createElement("p");
    note.className = "note";
    note.textContent = "Connection closed.";
    document.getElementById("feed").append(note);
    document.getElementById("jump").hidden = false;
    document.getElementById("room-hint").textContent = "A room name is 1 to 64 letters.";
    const mark = document.createElement("span");
    mark.className = "verified";
    mark.textContent = "✓";
    for (const nick of document.querySelectorAll("#log .nick, #members .nick")) {
      nick.after(mark.cloneNode(true));
    }
    const more = document.getElementById("members-more");
    more.hidden = false;
    more.textContent = "and 2 more";
  }`);
}

Deno.test(
  "The page fits a 360 px phone and a wide screen, honours the colour scheme and meets WCAG AA contrast",
  browserTest,
  async (t) => {
    await using server = startServer();
    await using browser = await launch();
    const sizes = [
      ["phone", 360, 640],
      ["wide", 1600, 900],
    ] as const;
    for (const scheme of ["light", "dark"] as const) {
      for (const [screen, width, height] of sizes) {
        await t.step(`${screen}, ${scheme}`, async () => {
          const room = `${screen}-${scheme}`;
          await using other = await plainClient(server, room);
          const { page } = await openPage(
            browser,
            `${server.origin}/r/${room}`,
            {
              width,
              height,
              colorScheme: scheme,
              nick: "ana",
            },
          );
          await waitForJoined(page, 2);
          await fillPage(page, other);
          const scrollWidth = await page.evaluate<number>(
            "document.documentElement.scrollWidth",
          );
          assert.ok(scrollWidth <= width, `the page is ${scrollWidth} px wide`);
          const send = await page.locator("#send").boundingBox();
          assert.ok(
            send && send.x + send.width <= width,
            "the button is on screen",
          );
          const background = await page.evaluate<string>(
            "getComputedStyle(document.body).backgroundColor",
          );
          const expected = scheme === "light"
            ? "rgb(255, 255, 255)"
            : "rgb(21, 22, 26)";
          assert.equal(background, expected);
          if (screen === "phone") {
            // The members and the room form open over the log, and close.
            assert.equal(await page.isVisible("#members"), false);
            assert.equal(await page.textContent("#panel-toggle"), "2 people");
            await page.click("#panel-toggle");
            assert.equal(await page.isVisible("#members"), true);
            assert.equal(
              await page.getAttribute("#panel-toggle", "aria-expanded"),
              "true",
            );
            const panel = await page.locator("#side").boundingBox();
            assert.ok(panel && panel.x >= 0 && panel.x + panel.width <= width);
          } else {
            assert.equal(await page.isVisible("#panel-toggle"), false);
            assert.equal(await page.isVisible("#members"), true);
            // The text column stays readable on a wide screen.
            const text = await page.locator("#log .msg").first().boundingBox();
            const mine = await page.locator("#log .msg.mine").boundingBox();
            assert.ok(
              text && mine && mine.x + mine.width - text.x <= 48 * 16,
              "the messages keep to a column",
            );
          }
          await assertPageContrast(page, `${screen}, ${scheme}`);
          if (screen === "phone") {
            await page.evaluate(`{
              document.getElementById("form").hidden = false;
              document.getElementById("nick-form").hidden = true;
            }`);
            await page.focus("#room-name");
            await page.keyboard.press("Escape");
            assert.equal(await page.isVisible("#members"), false);
            assert.equal(
              await page.evaluate<string>("document.activeElement.id"),
              "panel-toggle",
            );
          }
          await page.close();
        });
      }
    }
  },
);

Deno.test(
  "The page can be photographed mid-conversation as a PNG",
  browserTest,
  async () => {
    await using server = startServer();
    await using browser = await launch();
    const pages = await Promise.all(
      ["ana", "ben"].map(async (nick) =>
        (await openPage(browser, server.origin + "/r/deno", { nick })).page
      ),
    );
    for (const page of pages) await waitForJoined(page, 2);
    await converse(pages);
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/conversation.png`;
      await pages[0].screenshot({ path, timeout: PAGE_DEADLINE_MS });
      const png = await Deno.readFile(path);
      assert.deepEqual([...png.subarray(0, 8)], [
        0x89,
        0x50,
        0x4e,
        0x47,
        0x0d,
        0x0a,
        0x1a,
        0x0a,
      ]);
      assert.ok(png.byteLength > 5000, `a ${png.byteLength}-byte picture`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
