/**
 * The page's idempotent sends (C7), in headless Chromium: every `send`
 * carries a random key, and a send whose ack was lost with its connection
 * goes again, with the same key, once the page has reconnected and joined
 * again; natter answers it with the first ack and posts it only once. The
 * connection is cut at the exact moment that matters by Playwright's
 * WebSocket routing, which relays the page's socket to natter and drops
 * the frame with the ack.
 */

import assert from "node:assert/strict";
import {
  browserTest,
  launch,
  lines,
  notes,
  openPage,
  plainClient,
  say,
  waitForJoined,
  waitForLines,
} from "../test_util/browser.ts";
import { startServer, until } from "../test_util/natter.ts";

/** A `send` command as the page wrote it, and the connection it went on. */
interface Sent {
  text: string;
  key: unknown;
  connection: number;
}

/** C7: 16 to 64 characters of `[A-Za-z0-9_-]`. */
const KEY = /^[A-Za-z0-9_-]{16,64}$/;

Deno.test(
  "C7: a send whose ack was lost goes again with its key after the page rejoins, and is posted once",
  browserTest,
  async () => {
    await using server = startServer();
    await using observer = await plainClient(server);
    await using browser = await launch();
    const { page, problems } = await openPage(browser, "about:blank", {
      nick: "ana",
    });
    const sent: Sent[] = [];
    let connections = 0;
    await page.routeWebSocket(/\/ws$/, (ws) => {
      const connection = ++connections;
      const natter = ws.connectToServer();
      ws.onMessage((message) => {
        const command = JSON.parse(String(message));
        if (command.type === "send") {
          sent.push({ text: command.text, key: command.key, connection });
        }
        natter.send(message);
      });
      natter.onMessage((message) => {
        const events: { type: string }[] = JSON.parse(String(message));
        if (connection === 1 && events.some((e) => e.type === "ack")) {
          // The ack is lost with the first connection.
          ws.close({ code: 1012, reason: "service restart" });
          natter.close();
          return;
        }
        ws.send(message);
      });
    });
    await page.goto(server.origin + "/");
    await waitForJoined(page, 2);

    await say(page, "posted once, whatever the drop");
    await until(() => sent.length >= 2, "the send to go again");
    await waitForJoined(page, 2);
    const [first, again] = sent;
    assert.match(String(first.key), KEY);
    assert.deepEqual(again, { ...first, connection: 2 });

    // Something later from someone else, so the page and the observer have
    // seen whatever the resend caused before it.
    observer.send("after");
    await waitForLines(page, 2);
    assert.deepEqual(await lines(page), [
      "posted once, whatever the drop",
      "after",
    ]);
    assert.deepEqual(await observer.waitForMessages(2), [
      "posted once, whatever the drop",
      "after",
    ]);
    assert.equal(
      await page.inputValue("#msg"),
      "",
      "nothing back in the input",
    );
    assert.deepEqual(await notes(page), [
      "Connection closed: service restart.",
    ]);

    // Each message has a key of its own.
    await say(page, "another");
    await until(() => sent.length === 3, "the next send");
    assert.match(String(sent[2].key), KEY);
    assert.notEqual(sent[2].key, first.key);
    assert.deepEqual(problems.errors.filter((e) => !/WebSocket/.test(e)), []);
  },
);
