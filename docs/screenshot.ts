/**
 * Regenerates the README's pictures of the page: `deno task screenshot`.
 * Starts natter, has two pages hold a short conversation, and writes
 * `docs/screenshot.png` (desktop, light scheme) and
 * `docs/screenshot-phone.png` (a 360 px phone, dark scheme).
 *
 * @module
 */

import {
  converse,
  launch,
  openPage,
  waitForConnected,
} from "../test_util/browser.ts";
import { startServer } from "../test_util/natter.ts";

const out = (name: string) => new URL(name, import.meta.url);

await using server = startServer();
await using browser = await launch();
const desktop = await openPage(browser, server.origin + "/", {
  width: 900,
  height: 540,
});
const phone = await openPage(browser, server.origin + "/", {
  width: 360,
  height: 640,
  colorScheme: "dark",
});
const pages = [desktop.page, phone.page];
await waitForConnected(server, pages);
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
