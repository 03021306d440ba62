/**
 * The page chatting in headless Chromium over natter.v1: rooms, nicks,
 * members, what it shows and sends, and that it runs under its own
 * Content-Security-Policy. History, reconnection, layout and the screenshot
 * are in `browser_page_test.ts`.
 */

import assert from "node:assert/strict";
// Test-only: deno.test.json maps it, so `deno task start` never fetches it.
import type { Page } from "playwright-core";
import {
  browserTest,
  connectedPage,
  cspViolations,
  launch,
  lines,
  messages,
  NICK_KEY,
  openPage,
  people,
  plainClient,
  say,
  waitForConnected,
  waitForJoined,
  waitForLines,
  waitForPeople,
} from "../test_util/browser.ts";
import { createVerifier, type Verifier } from "../auth/token.ts";
import { RedisStore } from "../store/redis.ts";
import { startServer, until } from "../test_util/natter.ts";
import { RedisServer, redisTest } from "../test_util/redis.ts";
import { SECRET, sign } from "../test_util/tokens.ts";
import { V1Client } from "../test_util/v1.ts";

/** The texts of the page's own messages, those it sets apart. */
function ownLines(page: Page): Promise<string[]> {
  return page.locator("#log .msg.mine .text").allTextContents();
}

Deno.test(
  "R3, C1, C3, E1: two pages chat in one room, a page in another room sees none of it",
  browserTest,
  async () => {
    await using server = startServer();
    await using browser = await launch();
    const ana = await openPage(browser, server.origin + "/r/kitchen", {
      nick: "ana",
    });
    const ben = await openPage(browser, server.origin + "/r/kitchen", {
      nick: "ben",
    });
    const cy = await openPage(browser, server.origin + "/r/garden", {
      nick: "cy",
    });
    await waitForJoined(ana.page, 2);
    await waitForJoined(ben.page, 2);
    await waitForJoined(cy.page, 1);
    assert.equal(await ana.page.title(), "#kitchen · natter");
    assert.equal(await cy.page.textContent("#room-title"), "#garden");

    const before = Date.now();
    await Promise.all([
      say(ana.page, "hello from ana"),
      say(ben.page, "hello from ben"),
    ]);
    await say(cy.page, "only in the garden");
    for (const { page } of [ana, ben]) await waitForLines(page, 2);
    await waitForLines(cy.page, 1);
    const after = Date.now();

    // Both kitchen pages show both messages in the room's one order, with
    // offsets 1 and 2 (R6) and the sender's nick.
    const seen = await messages(ana.page);
    assert.deepEqual(seen.map((m) => m.replace(/^\d /, "")).toSorted(), [
      "ana: hello from ana",
      "ben: hello from ben",
    ]);
    assert.deepEqual(seen.map((m) => m.split(" ")[0]), ["1", "2"]);
    assert.deepEqual(await messages(ben.page), seen);
    assert.deepEqual(await messages(cy.page), ["1 cy: only in the garden"]);

    // One's own messages are set apart, and not by colour alone.
    assert.deepEqual(await ownLines(ana.page), ["hello from ana"]);
    assert.deepEqual(await ownLines(ben.page), ["hello from ben"]);
    assert.equal(
      await ana.page.locator("#log .msg.mine .you").textContent(),
      " (you)",
    );
    const sides = await ana.page.locator("#log .msg").evaluateAll((els) =>
      els.map((el) => [
        el.classList.contains("mine"),
        Math.round(el.getBoundingClientRect().right),
      ])
    );
    const [mineRight] = sides.filter(([m]) => m).map(([, r]) => r);
    const [otherRight] = sides.filter(([m]) => !m).map(([, r]) => r);
    assert.ok(mineRight > otherRight, "one's own messages are on the right");

    // Time stamps come from the server's `ts`.
    const stamps = await ana.page.locator("#log .msg time").evaluateAll((
      els,
    ) => els.map((el) => Date.parse(el.getAttribute("datetime") ?? "")));
    assert.equal(stamps.length, 2);
    for (const ts of stamps) {
      assert.ok(ts >= before - 1000 && ts <= after + 1000, `ts ${ts}`);
    }
    assert.equal(await ana.page.inputValue("#msg"), "", "the input is cleared");
    assert.deepEqual(
      [ana, ben, cy].flatMap(({ problems }) => problems.errors),
      [],
    );
  },
);

Deno.test(
  "R1, R3, C4: the room form checks the name, then switches rooms in place on the same socket",
  browserTest,
  async () => {
    await using server = startServer();
    await using browser = await launch();
    const { page, problems } = await openPage(browser, "about:blank", {
      nick: "ana",
    });
    let sockets = 0;
    page.on("websocket", () => sockets++);
    await page.goto(server.origin + "/");
    await waitForJoined(page, 1);
    assert.equal(await page.title(), "#lobby · natter");

    for (const bad of ["no spaces", "x".repeat(65), "ü"]) {
      await page.fill("#room-name", bad);
      await page.press("#room-name", "Enter");
      assert.match(await page.textContent("#room-hint") ?? "", /1 to 64/);
      assert.equal(
        await page.getAttribute("#room-name", "aria-invalid"),
        "true",
      );
      assert.equal(page.url(), server.origin + "/", `"${bad}" is refused`);
    }

    await page.fill("#room-name", "garden");
    await page.press("#room-name", "Enter");
    await page.waitForURL(server.origin + "/r/garden");
    await waitForJoined(page, 1);
    assert.equal(await page.title(), "#garden · natter");
    assert.equal(await page.textContent("#room-hint"), "");
    assert.equal(
      await page.evaluate<string>("document.activeElement.id"),
      "msg",
    );

    // The lobby's message is relayed before the garden's (its sender hears
    // it back first), and only the garden's reaches the page.
    await using lobby = await plainClient(server);
    await using garden = await plainClient(server, "garden");
    lobby.send("said in the lobby");
    await lobby.waitForMessages(1);
    garden.send("said in the garden");
    await say(page, "me too");
    await waitForLines(page, 2);
    assert.deepEqual(await lines(page), ["said in the garden", "me too"]);
    assert.deepEqual(await garden.waitForMessages(2), [
      "said in the garden",
      "me too",
    ]);

    // Back goes back to the lobby and its history, still on one socket.
    await page.goBack();
    assert.equal(page.url(), server.origin + "/");
    await page.locator("#log .msg .text", { hasText: "said in the lobby" })
      .waitFor();
    assert.deepEqual(await lines(page), ["said in the lobby"]);
    assert.equal(await page.title(), "#lobby · natter");
    assert.equal(sockets, 1, "one socket for every room");
    assert.deepEqual(problems.errors, []);
  },
);

Deno.test(
  "R5: the nick is asked once, inline, remembered across a reload, and can be changed",
  browserTest,
  async () => {
    await using server = startServer();
    await using browser = await launch();
    const { page, problems } = await openPage(browser, server.origin + "/");
    await page.locator("#nick").waitFor();
    assert.equal(await page.isHidden("#msg"), true);
    assert.equal(
      await page.textContent("#top"),
      "Choose a nick below to join #lobby.",
    );
    assert.equal(
      await page.evaluate<string>("document.activeElement.id"),
      "nick",
    );
    const refused = [
      ["   ", /at least one/],
      ["x".repeat(33), /at most 32/],
      ["bell\u0007", /control/],
    ] as const;
    for (const [nick, why] of refused) {
      await page.fill("#nick", nick);
      await page.press("#nick", "Enter");
      assert.match(await page.textContent("#nick-hint") ?? "", why);
      assert.equal(await page.getAttribute("#nick", "aria-invalid"), "true");
    }
    // 32 characters, counted as characters, are fine, once trimmed.
    await page.fill("#nick", "  " + "é".repeat(31) + "z  ");
    await page.press("#nick", "Enter");
    await waitForJoined(page, 1);
    assert.deepEqual(await people(page), ["é".repeat(31) + "z (you)"]);
    await page.click("#change-nick");
    await page.fill("#nick", "  zoe ");
    await page.press("#nick", "Enter");
    await waitForPeople(page, ["zoe (you)"]);
    assert.equal(await page.textContent("#me"), "zoe");
    assert.equal(
      await page.evaluate<string>("document.activeElement.id"),
      "msg",
    );

    // Remembered: a reload joins as zoe without asking.
    await page.reload();
    await waitForJoined(page, 1);
    assert.equal(await page.isHidden("#nick"), true);
    assert.deepEqual(await people(page), ["zoe (you)"]);
    assert.equal(
      await page.evaluate<string>(`localStorage.getItem("${NICK_KEY}")`),
      "zoe",
    );

    // Changed: the room sees zed instead of zoe, and misses nothing.
    const ben = await openPage(browser, server.origin + "/", { nick: "ben" });
    await waitForJoined(ben.page, 2);
    await say(page, "as zoe");
    await waitForLines(ben.page, 1);
    await page.click("#change-nick");
    assert.equal(await page.inputValue("#nick"), "zoe");
    await page.press("#nick", "Escape"); // changed one's mind
    assert.equal(await page.isHidden("#nick"), true);
    await page.click("#change-nick");
    await page.fill("#nick", "zed");
    await page.press("#nick", "Enter");
    await waitForPeople(ben.page, ["ben (you)", "zed"]);
    await say(page, "as zed");
    await waitForLines(ben.page, 2);
    assert.deepEqual(await messages(ben.page), [
      "1 zoe: as zoe",
      "2 zed: as zed",
    ]);
    await waitForLines(page, 2);
    assert.deepEqual(await ownLines(page), ["as zoe", "as zed"]);
    assert.deepEqual(problems.dialogs, [], "no window.prompt");
    assert.deepEqual([...problems.errors, ...ben.problems.errors], []);
  },
);

Deno.test(
  "E2, M2: the member list shows who joins and who leaves, with a count",
  browserTest,
  async () => {
    await using chat = await connectedPage();
    const { server, browser, page } = chat;
    assert.deepEqual(await people(page), ["ana (you)"]);
    assert.equal(
      await page.textContent("#members-title"),
      "In #lobby: 1 person",
    );

    const ben = await openPage(browser, server.origin + "/", { nick: "ben" });
    await waitForPeople(page, ["ana (you)", "ben"]);
    assert.equal(
      await page.textContent("#members-title"),
      "In #lobby: 2 people",
    );
    await using plain = await plainClient(server);
    await waitForPeople(page, ["ana (you)", "anonymous", "ben"]);
    assert.equal(
      await page.textContent("#members-title"),
      "In #lobby: 3 people",
    );
    await ben.page.close();
    await waitForPeople(page, ["ana (you)", "anonymous"]);
    await plain[Symbol.asyncDispose]();
    await waitForPeople(page, ["ana (you)"]);
    assert.equal(
      await page.textContent("#members-title"),
      "In #lobby: 1 person",
    );
  },
);

Deno.test(
  "S3, P2: a coalesced burst shows one line per message",
  browserTest,
  async () => {
    await using server = startServer();
    await using browser = await launch();
    const { page } = await openPage(browser, "about:blank", { nick: "ana" });
    let frames = 0;
    page.on("websocket", (ws) => ws.on("framereceived", () => frames++));
    await page.goto(server.origin + "/");
    await waitForJoined(page);
    await using sender = await plainClient(server);
    await waitForJoined(page, 2);
    const before = frames;
    const burst = Array.from({ length: 200 }, (_, i) => `burst ${i}`);
    for (const m of burst) sender.send(m);
    await sender.waitForMessages(burst.length);
    await waitForLines(page, burst.length);
    assert.deepEqual(await lines(page), burst);
    assert.ok(
      frames - before < burst.length,
      `${burst.length} messages, ${frames - before} frames`,
    );
  },
);

Deno.test("P3: scroll preservation", browserTest, async (t) => {
  await using chat = await connectedPage({ height: 400 });
  const { server, page } = chat;
  await using sender = await plainClient(server);
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
    assert.equal(await page.isVisible("#jump"), true, "it offers a way down");
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
    await page.click("#jump");
    assert.ok((await scroll()).gap < 1);
    assert.ok((await receive()).gap < 1);
    assert.equal(await page.isVisible("#jump"), false);
  });
});

Deno.test(
  "P2: messages and nicks that look like HTML are shown as text and run nothing",
  browserTest,
  async () => {
    await using chat = await connectedPage();
    const { server, browser, page, problems } = chat;
    const evil = "<img src=x onerror=alert(1)>";
    const other = await openPage(browser, server.origin + "/", { nick: evil });
    await waitForPeople(page, ["ana (you)", evil]);
    await using sender = await plainClient(server);
    await waitForJoined(page, 3);
    const attacks = [
      "<img src=x onerror=alert(2)>",
      "<script>alert(3)</script><b>bold</b>",
    ];
    for (const attack of attacks) sender.send(attack);
    await waitForLines(page, 2);
    await say(other.page, "<svg onload=alert(4)>");
    await waitForLines(page, 3);
    assert.deepEqual(await messages(page), [
      `1 anonymous: ${attacks[0]}`,
      `2 anonymous: ${attacks[1]}`,
      `3 ${evil}: <svg onload=alert(4)>`,
    ]);
    assert.equal(
      await page.locator(":is(#log, #members) :is(img, script, b, svg)")
        .count(),
      0,
    );
    assert.deepEqual([...problems.dialogs, ...other.problems.dialogs], []);
    assert.deepEqual(await cspViolations(page), []);
  },
);

Deno.test(
  "P4: empty input sends nothing, white space is sent, the page stays",
  browserTest,
  async () => {
    await using chat = await connectedPage();
    const { server, page } = chat;
    await using observer = await plainClient(server);
    await waitForJoined(page, 2);
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
  "C3, K2: a message too long for the server stays in the input, which says why",
  browserTest,
  async () => {
    await using chat = await connectedPage();
    const { page } = chat;
    const longest = "x".repeat(512);
    await say(page, longest);
    await waitForLines(page, 1);
    const tooLong = "é".repeat(257); // 514 bytes
    await say(page, tooLong);
    await page.locator("#hint", { hasText: "too long" }).waitFor();
    assert.match(await page.textContent("#hint") ?? "", /514 bytes/);
    assert.equal(await page.inputValue("#msg"), tooLong, "nothing is lost");
    assert.deepEqual(await lines(page), [longest]);
    // The connection stays; the shortened text goes through.
    await say(page, "é".repeat(256));
    await waitForLines(page, 2);
    assert.equal(await page.textContent("#hint"), "");
    assert.equal(await page.textContent("#status"), "Connected");
  },
);

Deno.test(
  "Keyboard only: Enter sends, focus stays in the labelled input, every control is reachable",
  browserTest,
  async () => {
    await using chat = await connectedPage();
    const { page } = chat;
    const focused = () => page.evaluate<string>("document.activeElement.id");
    // Typing goes to the input without a click.
    assert.equal(await focused(), "msg");
    await page.keyboard.type("typed without a mouse");
    await page.keyboard.press("Enter");
    await waitForLines(page, 1);
    assert.equal(await focused(), "msg");
    // Tab reaches the button, which sends too, and focus comes back.
    await page.keyboard.type("by the button");
    await page.keyboard.press("Tab");
    assert.equal(await focused(), "send");
    await page.keyboard.press("Enter");
    await waitForLines(page, 2);
    assert.equal(await focused(), "msg");
    assert.deepEqual(await lines(page), [
      "typed without a mouse",
      "by the button",
    ]);

    // Backwards: the nick, the room form, then the log, which scrolls.
    const order = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press("Shift+Tab");
      order.push(await focused());
    }
    assert.deepEqual(order, ["change-nick", "room-go", "room-name", "log"]);
    assert.equal(await page.getAttribute("#feed", "role"), "log");
    assert.equal(await page.getAttribute("#feed", "aria-live"), "polite");
    assert.equal(
      await page.getAttribute("#log", "aria-label"),
      "Messages in #lobby",
    );
    assert.equal(await page.locator("label[for=msg]").textContent(), "Message");
    const outline = await page.evaluate<string>(
      "getComputedStyle(document.activeElement).outlineStyle",
    );
    assert.equal(outline, "solid", "focus is visible");

    // The room form and the nick form work from the keyboard too.
    await page.keyboard.press("Tab");
    await page.keyboard.type("den");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/r\/den$/);
    await waitForJoined(page, 1);
    assert.equal(await focused(), "msg");
    await page.keyboard.press("Shift+Tab");
    assert.equal(await focused(), "change-nick");
    await page.keyboard.press("Enter");
    assert.equal(await focused(), "nick");
    await page.keyboard.press("Control+a");
    await page.keyboard.type("ana2");
    await page.keyboard.press("Enter");
    await page.locator("#members li.me", { hasText: "ana2" }).waitFor({
      state: "attached",
    });
    assert.equal(await focused(), "msg");
  },
);

Deno.test(
  "CSP: the page runs and connects under its policy, which would report a violation",
  browserTest,
  async () => {
    await using server = startServer();
    await using browser = await launch();
    const { page, problems } = await openPage(browser, server.origin + "/", {
      nick: "ana",
    });
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
    assert.equal(await page.title(), "#lobby · natter");
  },
);

/** Where a nick is shown, and how: each must isolate it (R5). */
interface ShownNick {
  where: string;
  text: string | null;
  /** The element is `<bdi>` or has `dir="auto"`. */
  isolating: boolean;
  /** Whether it holds only text: no element that HTML would make. */
  textOnly: boolean;
  direction: string;
  unicodeBidi: string;
}

/** Every nick the page shows: in messages, in the members, as oneself. */
function shownNicks(page: Page): Promise<ShownNick[]> {
  return page.locator("#log .msg .nick, #members .nick, #me").evaluateAll(
    (els) =>
      els.map((el) => {
        const style = el.ownerDocument.defaultView!.getComputedStyle(el);
        return {
          where: el.closest("#log, #members, #identity")?.id ?? "",
          text: el.textContent,
          isolating: el.tagName === "BDI" || el.getAttribute("dir") === "auto",
          textOnly: el.children.length === 0,
          direction: style.direction,
          unicodeBidi: style.unicodeBidi,
        };
      }),
  );
}

/**
 * The left-to-right order on screen of the parts of `selector`'s first
 * element that `parts` name, as those names.
 */
function onScreen(page: Page, selector: string, parts: string[]) {
  return page.locator(selector).first().evaluate((el, parts) =>
    parts
      .map((part) => ({
        part,
        x: el.querySelector(part)?.getBoundingClientRect().left ?? -1,
      }))
      .filter(({ x }) => x >= 0)
      .sort((a, b) => a.x - b.x)
      .map(({ part }) => part), parts);
}

Deno.test(
  "R5: a right-to-left nick is shown isolated and as text, and the text around it keeps its order",
  browserTest,
  async () => {
    const hebrew = "שלום 2";
    const arabic = "مرحبا";
    await using chat = await connectedPage({ nick: hebrew });
    const { server, page, problems } = chat;
    await using other = await V1Client.open(server.wsUrl);
    await other.join("lobby", { nick: arabic });
    await waitForPeople(page, [`${hebrew} (you)`, arabic]);
    await say(page, "mine");
    await waitForLines(page, 1);
    await other.request({ type: "send", room: "lobby", text: "theirs" });
    await waitForLines(page, 2);
    assert.deepEqual(await messages(page), [
      `1 ${hebrew}: mine`,
      `2 ${arabic}: theirs`,
    ]);

    const shown = await shownNicks(page);
    assert.deepEqual(
      shown.map(({ where, text }) => `${where} ${text}`).toSorted(),
      [
        `identity ${hebrew}`,
        `log ${arabic}`,
        `log ${hebrew}`,
        `members ${arabic}`,
        `members ${hebrew}`,
      ].toSorted(),
    );
    for (const nick of shown) {
      const at = `${nick.text} in #${nick.where}`;
      assert.ok(nick.isolating, `${at} is in a <bdi> or dir=auto element`);
      assert.ok(nick.textOnly, `${at} is text`);
      assert.equal(nick.unicodeBidi, "isolate", `${at} is isolated`);
      assert.equal(nick.direction, "rtl", `${at} reads right to left`);
    }
    // Around it, left to right as written: the nick, "(you)", the time.
    assert.deepEqual(
      await onScreen(page, "#log .msg.mine", [".nick", ".you", "time"]),
      [".nick", ".you", "time"],
    );
    assert.deepEqual(
      await onScreen(page, "#log .msg:not(.mine)", [".nick", "time"]),
      [".nick", "time"],
    );
    assert.deepEqual(
      await onScreen(page, "#members li.me", [".nick", ".you"]),
      [".nick", ".you"],
    );
    assert.deepEqual(
      await onScreen(page, "#identity", ["#me", "#change-nick"]),
      ["#me", "#change-nick"],
    );
    assert.equal(await page.locator("#log .verified").count(), 0);
    assert.deepEqual(problems.errors, []);
  },
);

/**
 * Two natter nodes sharing rooms through a Redis of the test's own: the
 * first verifies tokens, the second is open to anyone, so token users and
 * anonymous ones meet in one room. Disposing it stops all three.
 */
async function mixedNodes() {
  await using stack = new AsyncDisposableStack();
  const redis = stack.use(await RedisServer.start());
  const node = async (verifier?: Verifier) => {
    const store = stack.use(new RedisStore(redis.url));
    const server = stack.use(startServer({ store, verifier }));
    await until(() => server.ready, "the node to be ready");
    return server;
  };
  const verified = await node(await createVerifier({ secret: SECRET }));
  const open = await node();
  const owned = stack.move();
  return {
    verified,
    open,
    [Symbol.asyncDispose]: () => owned.disposeAsync(),
  };
}

/** Each member the page lists: its text, and the mark's label if it has one. */
function listedMarks(page: Page): Promise<string[]> {
  return page.locator("#members li").evaluateAll((els) =>
    els.map((li) => {
      const mark = li.querySelector(".verified");
      const nick = li.querySelector(".nick")?.textContent;
      return mark ? `${nick} [${mark.getAttribute("aria-label")}]` : `${nick}`;
    })
  );
}

Deno.test(
  "R5: a token-verified member is marked, and anonymous ones with the same nick are not",
  { ignore: browserTest.ignore || redisTest.ignore },
  async () => {
    await using nodes = await mixedNodes();
    const token = await sign({ sub: "ana-7" });
    await using browser = await launch();
    const ana = await openPage(
      browser,
      `${nodes.verified.origin}/?token=${token}`,
      { nick: "ana" },
    );
    const impostor = await openPage(browser, nodes.open.origin + "/", {
      nick: "ana",
    });
    await using ticked = await V1Client.open(nodes.open.wsUrl);
    await ticked.join("lobby", { nick: "ana ✓" });
    const all = ["ana [verified as ana-7]", "ana", "ana ✓"];
    for (const { page } of [ana, impostor]) {
      await waitForJoined(page, 3);
      assert.deepEqual((await listedMarks(page)).toSorted(), all.toSorted());
    }

    await say(ana.page, "the real ana");
    await waitForLines(impostor.page, 1);
    await say(impostor.page, "also ana");
    await ticked.request({ type: "send", room: "lobby", text: "me too" });
    for (const { page } of [ana, impostor]) {
      await waitForLines(page, 3);
      const marked = await page.locator("#log .msg").evaluateAll((els) =>
        els.map((el) => el.querySelector(".verified")?.getAttribute("title"))
      );
      assert.deepEqual(marked, ["Verified as ana-7", undefined, undefined]);
    }
    // Seen and heard: on screen, and named to screen readers.
    const mark = impostor.page.locator("#log .msg .verified");
    assert.equal(await mark.isVisible(), true);
    assert.equal(await mark.getAttribute("role"), "img");
    assert.deepEqual([...ana.problems.errors, ...impostor.problems.errors], []);
  },
);

Deno.test(
  "C1, C8, E2: the member count is the room's count, and the list reads on past its first page",
  browserTest,
  async (t) => {
    await using server = startServer({ memberPage: 2 });
    await using stack = new AsyncDisposableStack();
    const others = ["m1", "m2", "m3", "m4"];
    for (const nick of others) {
      const client = stack.use(await V1Client.open(server.wsUrl));
      await client.join("lobby", { nick });
    }
    await using browser = await launch();

    await t.step(
      "the count, while the rest of the list is not read",
      async () => {
        const { page } = await openPage(browser, "about:blank", {
          nick: "ana",
        });
        // The page's `members` commands are dropped on their way out.
        await page.routeWebSocket(/\/ws/, (ws) => {
          const server = ws.connectToServer();
          ws.onMessage((frame) => {
            if (!String(frame).includes('"members"')) server.send(frame);
          });
        });
        await page.goto(server.origin + "/");
        await waitForJoined(page, 3);
        assert.deepEqual(await people(page), ["ana (you)", "m1", "m2"]);
        assert.equal(
          await page.textContent("#members-title"),
          "In #lobby: 5 people",
        );
        assert.equal(await page.textContent("#panel-toggle"), "5 people");
        assert.equal(await page.textContent("#members-more"), "and 2 more");
        await page.close();
      },
    );

    await t.step(
      "every member, read page by page, kept up to date",
      async () => {
        const { page, problems } = await openPage(browser, "about:blank", {
          nick: "ana",
        });
        const sent: string[] = [];
        const joined: unknown[] = [];
        page.on("websocket", (ws) => {
          ws.on("framesent", (frame) => sent.push(String(frame.payload)));
          ws.on("framereceived", (frame) => {
            for (const event of JSON.parse(String(frame.payload))) {
              if (event.type === "joined") joined.push(event.presence.length);
            }
          });
        });
        await page.goto(server.origin + "/");
        await waitForPeople(page, ["ana (you)", ...others]);
        assert.deepEqual(joined, [2], "joined listed the first page only");
        const asked = sent.filter((frame) => frame.includes('"members"'));
        assert.ok(asked.length >= 2, `${asked.length} members commands`);
        assert.equal(
          await page.textContent("#members-title"),
          "In #lobby: 5 people",
        );
        assert.equal(await page.isHidden("#members-more"), true);

        const late = stack.use(await V1Client.open(server.wsUrl));
        await late.join("lobby", { nick: "m5" });
        await waitForPeople(page, ["ana (you)", ...others, "m5"]);
        assert.equal(
          await page.textContent("#members-title"),
          "In #lobby: 6 people",
        );
        await late.request({ type: "leave", room: "lobby" });
        await waitForPeople(page, ["ana (you)", ...others]);
        assert.equal(
          await page.textContent("#members-title"),
          "In #lobby: 5 people",
        );
        assert.deepEqual(problems.errors, []);
      },
    );
  },
);
