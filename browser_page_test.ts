/**
 * The page in headless Chromium, beyond chatting: it reconnects by itself
 * and keeps what was typed (D6), it fits a phone, honours the colour scheme
 * with AA contrast, and can be photographed.
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  browserTest,
  connectedPage,
  converse,
  launch,
  lines,
  openPage,
  waitForConnected,
  waitForLines,
  waitForState,
} from "./test_util/browser.ts";
import { openClients, startServer } from "./test_util/natter.ts";

Deno.test(
  "D6, P5: the page reconnects by itself after the server restarts on the same port",
  browserTest,
  async () => {
    await using chat = await connectedPage();
    const { server: first, page, problems } = chat;
    const port = first.addr.port;
    await page.evaluate("window.notReloaded = true");

    await first.shutdown();
    await waitForState(page, "reconnecting");
    assert.match(
      await page.textContent("#status") ?? "",
      /^Reconnecting in \d+ s$/,
    );
    assert.equal(
      await page.locator("#log .note").last().textContent(),
      "Connection closed: server shutting down.",
    );
    // Typed while disconnected: not sent, not lost, and the page says so.
    await page.fill("#msg", "kept while disconnected");
    await page.press("#msg", "Enter");
    assert.equal(await page.inputValue("#msg"), "kept while disconnected");
    assert.equal(await page.isDisabled("#send"), true);
    assert.equal(await page.textContent("#send"), "Can't send");
    assert.match(await page.textContent("#hint") ?? "", /Not connected/);

    await using second = startServer({ port });
    await waitForConnected(second, [page]);
    await using observer = (await openClients(second, 1))[0];
    assert.equal(await page.textContent("#hint"), "");
    assert.equal(await page.textContent("#send"), "Send");
    await page.press("#msg", "Enter");
    assert.deepEqual(await observer.waitForMessages(1), [
      "kept while disconnected",
    ]);
    await waitForLines(page, 1);
    assert.deepEqual(await lines(page), ["kept while disconnected"]);
    assert.equal(await page.evaluate("window.notReloaded"), true);
    assert.equal(
      second.members(),
      2,
      "one socket each, no duplicate reconnects",
    );
    assert.deepEqual(problems.errors.filter((e) => !/WebSocket/.test(e)), []);
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
    await waitForConnected(second, [page]);
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
    const fg = rgb(getComputedStyle(el, pseudo).color);
    return [selector + (pseudo ?? ""), Math.round(ratio(fg, behind(el)) * 100) / 100];
  }));
}`;

/** Asserts every text the page shows meets WCAG AA (4.5:1) in its state. */
async function assertContrast(page: Page, scheme: string): Promise<void> {
  const check = async (what: string, selectors: [string, string?][]) => {
    const ratios = await page.evaluate<Record<string, number>>(
      `(${CONTRAST})(${JSON.stringify(selectors)})`,
    );
    for (const [name, ratio] of Object.entries(ratios)) {
      assert.ok(
        ratio >= 4.5,
        `${scheme}, ${what}: ${name} has contrast ${ratio}`,
      );
    }
  };
  await check("connected", [
    ["h1"],
    ["#status"],
    ["#log .msg"],
    ["#log .note"],
    ["#msg", "::placeholder"],
    ["#send"],
  ]);
  for (const state of ["connecting", "reconnecting", "offline"]) {
    // Colour only: the page's own script sets these states.
    await page.evaluate(`{
      document.getElementById("status").dataset.state = "${state}";
      document.getElementById("send").disabled = true;
      document.getElementById("hint").textContent = "Not connected";
    }`);
    await check(state, [["#status"], ["#send"], ["#hint"]]);
  }
}

Deno.test(
  "The page fits a 360 px phone, honours the colour scheme and meets WCAG AA contrast",
  browserTest,
  async (t) => {
    await using server = startServer();
    await using browser = await launch();
    for (const scheme of ["light", "dark"] as const) {
      await t.step(scheme, async () => {
        const { page } = await openPage(browser, server.origin + "/", {
          width: 360,
          height: 640,
          colorScheme: scheme,
        });
        await waitForConnected(server, [page], 1);
        await page.fill(
          "#msg",
          "a message long enough to wrap on a phone, and then some more",
        );
        await page.press("#msg", "Enter");
        await waitForLines(page, 1);
        await page.evaluate(`{
          const note = document.createElement("div");
          note.className = "note";
          note.textContent = "Connection closed.";
          document.getElementById("log").append(note);
        }`);
        const width = await page.evaluate<number>(
          "document.documentElement.scrollWidth",
        );
        assert.ok(width <= 360, `the page is ${width} px wide`);
        const send = await page.locator("#send").boundingBox();
        assert.ok(
          send && send.x + send.width <= 360,
          "the button is on screen",
        );
        const background = await page.evaluate<string>(
          "getComputedStyle(document.body).backgroundColor",
        );
        const expected = scheme === "light"
          ? "rgb(255, 255, 255)"
          : "rgb(21, 22, 26)";
        assert.equal(background, expected);
        await assertContrast(page, scheme);
        await page.close();
      });
    }
  },
);

Deno.test(
  "The page can be photographed mid-conversation as a PNG",
  browserTest,
  async () => {
    await using server = startServer();
    await using browser = await launch();
    const pages = [
      (await openPage(browser, server.origin + "/")).page,
      (await openPage(browser, server.origin + "/")).page,
    ];
    await waitForConnected(server, pages);
    await converse(pages);
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/conversation.png`;
      await pages[0].screenshot({ path });
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
