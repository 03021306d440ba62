/**
 * What the browser tests of big rooms share: natter.v1 members joined from
 * the test, a record of the page's frames, and ways to wait for the member
 * list's heading and its end.
 *
 * @module
 */

// Test-only: deno.test.json maps it, so `deno task start` never fetches it.
import type { Page } from "playwright-core";
import { PAGE_DEADLINE_MS, say } from "./browser.ts";
import { type TestServer, until } from "./natter.ts";
import { type Event, V1Client } from "./v1.ts";

/** The little of the DOM the page-side predicates read. */
export type Dom = {
  document: {
    querySelectorAll(selector: string): ArrayLike<unknown>;
    getElementById(id: string): { hidden: boolean } | null;
  };
};

/**
 * Joins `nicks` to the lobby of `server` as natter.v1 members, `together`
 * at a time (one at a time, their client ids follow their order); `stack`
 * closes them.
 */
export async function joinLobby(
  server: TestServer,
  stack: AsyncDisposableStack,
  nicks: string[],
  together = 1,
): Promise<V1Client[]> {
  const clients: V1Client[] = [];
  for (let i = 0; i < nicks.length; i += together) {
    clients.push(
      ...await Promise.all(
        nicks.slice(i, i + together).map(async (nick) => {
          const client = stack.use(await V1Client.open(server.wsUrl));
          await client.join("lobby", { nick });
          return client;
        }),
      ),
    );
  }
  return clients;
}

/**
 * Records every event of the page's sockets in the order seen, each with
 * `way` set to "sent" or "received".
 */
export function recordFrames(page: Page): Event[] {
  const frames: Event[] = [];
  page.on("websocket", (ws) => {
    ws.on("framesent", (f) => {
      frames.push({ way: "sent", ...JSON.parse(String(f.payload)) });
    });
    ws.on("framereceived", (f) => {
      for (const event of JSON.parse(String(f.payload))) {
        frames.push({ way: "received", ...event });
      }
    });
  });
  return frames;
}

/** The `members` commands among `frames`. */
export function reads(frames: Event[]): Event[] {
  return frames.filter((e) => e.way === "sent" && e.type === "members");
}

/**
 * Says `text` and waits until the page has sent it: every frame the page
 * sent before it has then been recorded, so none can come in late.
 */
export async function settle(
  page: Page,
  frames: Event[],
  text: string,
): Promise<void> {
  await say(page, text);
  await until(
    () => frames.some((e) => e.way === "sent" && e.text === text),
    `the page to send "${text}"`,
  );
}

/**
 * Scrolls the member list to its end, then waits until it lists more than
 * `shown` members or its end says nothing more is to come.
 */
export async function scrollToEnd(page: Page, shown: number): Promise<void> {
  await page.locator("#members-more").scrollIntoViewIfNeeded();
  await page.waitForFunction(
    (n) => {
      const { document } = globalThis as unknown as Dom;
      return document.querySelectorAll("#members li").length > n ||
        document.getElementById("members-more")?.hidden === true;
    },
    shown,
    { timeout: PAGE_DEADLINE_MS },
  );
}

/** Waits until the list's heading says `text`. */
export async function waitForTitle(page: Page, text: string): Promise<void> {
  await page.locator("#members-title", { hasText: text }).waitFor();
}
