/**
 * Regenerates the pictures of the page in docs/page.md and the README: `deno task screenshot`.
 * Starts natter, has three people join the room `deno` and two of them hold
 * a short conversation, and writes `docs/screenshot.png` (desktop, light
 * scheme) and `docs/screenshot-phone.png` (a 360 px phone, dark scheme).
 *
 * @module
 */

import {
  converse,
  launch,
  openPage,
  waitForJoined,
} from "../test_util/browser.ts";
import { startServer } from "../test_util/natter.ts";

const out = (name: string) => new URL(name, import.meta.url);

await using server = startServer();
await using browser = await launch();
const room = server.origin + "/r/deno";
const desktop = await openPage(browser, room, {
  width: 1000,
  height: 640,
  nick: "ana",
});
const phone = await openPage(browser, room, {
  width: 360,
  height: 640,
  colorScheme: "dark",
  nick: "ben",
});
const pages = [desktop.page, phone.page];
// A third member, so the list has more than the two who talk.
const cy = await openPage(browser, room, { nick: "cy" });
for (const page of [...pages, cy.page]) await waitForJoined(page, 3);
await converse(pages);
await desktop.page.fill("#msg", "typing a reply…");
for (
  const [page, name] of [[pages[0], "screenshot.png"], [
    pages[1],
    "screenshot-phone.png",
  ]] as const
) {
  await page.screenshot({ path: out(name).pathname });
  console.log(`wrote ${out(name).pathname}`);
}
