/**
 * Headless Chromium for the page's tests: Debian's `/usr/bin/chromium`,
 * driven by playwright-core, never a browser downloaded by a tool.
 *
 * playwright-core's own launch, which talks to Chromium over a pipe
 * (`--remote-debugging-pipe`), works under Deno 2.9's Node compatibility, so
 * no CDP port is opened. Importing playwright-core needs two things beyond
 * the usual test permissions: `--allow-sys=homedir,osRelease`, and
 * `--ignore-read=/proc/sys/fs/binfmt_misc/WSLInterop`, because it checks for
 * WSL by testing that path and Deno refuses every read under `/proc/sys`
 * without `--allow-all`; ignoring that one path makes it simply not exist.
 *
 * @module
 */

// Test-only: deno.test.json maps it, so `deno task start` never fetches it.
import { type Browser, chromium, type Page } from "playwright-core";
import { isCI } from "./ci.ts";
import type { TestServer } from "./natter.ts";
import { ChatClient, startServer, until } from "./natter.ts";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** How long a browser test waits for the page to reach a state. */
export const PAGE_DEADLINE_MS = 15_000;

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Why the browser tests cannot run here, or `undefined` when they can. In CI
 * (see {@linkcode isCI}) a missing Chromium is a failure, not a reason to
 * skip.
 */
export function browserSkipReason(): string | undefined {
  try {
    Deno.statSync(CHROMIUM);
    return undefined;
  } catch {
    if (isCI()) return undefined;
    return `${CHROMIUM} not found; install it with \`apt-get install -y chromium\``;
  }
}

const skip = browserSkipReason();
if (skip) console.log(`browser tests skipped: ${skip}`);

/** Options for `Deno.test` that skip, visibly, where Chromium is missing. */
export const browserTest: Pick<Deno.TestDefinition, "ignore"> = {
  ignore: skip !== undefined,
};

/** Options for {@linkcode launch}. */
export interface LaunchOptions {
  /**
   * Command-line switches for Chromium besides natter's usual ones, for
   * example `--ignore-certificate-errors` for a throwaway certificate.
   * @default {[]}
   */
  args?: readonly string[];
}

/**
 * Launches Chromium with a fresh temporary profile (playwright makes one and
 * removes it on close); close it with `await using`.
 */
export async function launch(
  options: LaunchOptions = {},
): Promise<Browser & AsyncDisposable> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...ARGS, ...options.args ?? []],
    timeout: PAGE_DEADLINE_MS,
  });
  return Object.assign(browser, {
    [Symbol.asyncDispose]: () => browser.close(),
  });
}

/** What a page did that it should not have. */
export interface PageProblems {
  /** Uncaught exceptions and console errors. */
  errors: string[];
  /** Dialogs opened (an `alert` would be one); each is dismissed. */
  dialogs: string[];
}

/** Runs in every page before its own script: records CSP violations. */
const RECORD_VIOLATIONS = `
  const seen = [];
  Object.defineProperty(globalThis, "__cspViolations", { value: seen });
  addEventListener("securitypolicyviolation", (event) => {
    seen.push(event.effectiveDirective + " blocked " + event.blockedURI);
  });
`;

/** Options for {@linkcode openPage}. */
export interface OpenPageOptions {
  /** @default {900} */
  width?: number;
  /** @default {600} */
  height?: number;
  /** @default {"light"} */
  colorScheme?: "light" | "dark";
  /**
   * The nick the page finds remembered in its storage on its first load,
   * so that it joins without asking; none: the page asks for one.
   */
  nick?: string;
}

/**
 * Opens `url` in a new page of `browser` and records what the page should
 * never do: script errors, console errors, dialogs. Content-Security-Policy
 * violations are recorded too, see {@linkcode cspViolations}.
 */
export async function openPage(
  browser: Browser,
  url: string,
  options: OpenPageOptions = {},
): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 900, height: options.height ?? 600 },
    colorScheme: options.colorScheme ?? "light",
  });
  page.setDefaultTimeout(PAGE_DEADLINE_MS);
  const problems: PageProblems = { errors: [], dialogs: [] };
  page.on("pageerror", (error) => problems.errors.push(error.message));
  page.on("console", (message) => {
    // Chromium asks for /favicon.ico on its own; its 404 is not the page's.
    if (
      message.type() === "error" && !/favicon/.test(message.location().url)
    ) {
      problems.errors.push(message.text());
    }
  });
  page.on("dialog", (dialog) => {
    problems.dialogs.push(dialog.message());
    dialog.dismiss();
  });
  // Added through the DevTools protocol, so the page's own CSP does not
  // apply to it: it sees every violation from the first byte on.
  await page.addInitScript({ content: RECORD_VIOLATIONS });
  if (options.nick !== undefined) {
    // Runs before every load of the page: only the first finds no nick.
    await page.addInitScript({
      content: `try {
        localStorage.getItem(${JSON.stringify(NICK_KEY)}) ??
          localStorage.setItem(${JSON.stringify(NICK_KEY)}, ${
        JSON.stringify(options.nick)
      });
      } catch {}`,
    });
  }
  await page.goto(url);
  return { page, problems };
}

/** Where the page remembers its nick in `localStorage`. */
export const NICK_KEY = "natter.nick";

/** Every Content-Security-Policy violation the page has reported so far. */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate<string[]>("__cspViolations");
}

/** The text of every message in the page's log, in order. */
export function lines(page: Page): Promise<string[]> {
  return page.locator("#log .msg .text").allTextContents();
}

/** Every message in the page's log as `offset nick: text`, in order. */
export function messages(page: Page): Promise<string[]> {
  return page.locator("#log .msg").evaluateAll((els) =>
    els.map((el) =>
      `${el.getAttribute("data-offset")} ${
        el.querySelector(".nick")?.textContent
      }: ${el.querySelector(".text")?.textContent}`
    )
  );
}

/** The notes the log shows between messages (the connection closed...). */
export function notes(page: Page): Promise<string[]> {
  return page.locator("#history .note, #feed .note").allTextContents();
}

/** Waits until the page's log shows at least `count` messages. */
export async function waitForLines(page: Page, count: number): Promise<void> {
  await page.locator("#log .msg").nth(count - 1).waitFor({
    state: "attached",
  });
}

/** Waits until the page's status is `state` (connected, reconnecting...). */
export async function waitForState(page: Page, state: string): Promise<void> {
  await page.locator(`#status[data-state="${state}"]`).waitFor();
}

/**
 * The page's member list as text, its own first as "nick (you)"; a
 * verified member's mark shows as "✓" after the nick.
 */
export function people(page: Page): Promise<string[]> {
  return page.locator("#members li").allTextContents();
}

/**
 * The little of the DOM that page-side predicates read. (The tests are
 * type-checked without the DOM library; and a predicate passed as a string
 * would be `eval`ed, which the page's CSP forbids.)
 */
type Dom = {
  document: {
    querySelectorAll(
      selector: string,
    ): ArrayLike<{ textContent: string | null }>;
  };
};

/**
 * Waits until the page has joined its room (it lists itself among the
 * members) and, if `count` is given, lists exactly `count` members. A page
 * that has joined sees every later message of its room.
 */
export async function waitForJoined(page: Page, count?: number): Promise<void> {
  await page.locator("#members li.me").waitFor({ state: "attached" });
  if (count !== undefined) {
    await page.waitForFunction(
      (n) =>
        (globalThis as unknown as Dom).document.querySelectorAll("#members li")
          .length === n,
      count,
      { timeout: PAGE_DEADLINE_MS },
    );
  }
}

/** Waits until the page lists exactly `expected` as its room's members. */
export async function waitForPeople(
  page: Page,
  expected: string[],
): Promise<void> {
  await page.waitForFunction(
    (want) =>
      JSON.stringify(
        Array.from(
          (globalThis as unknown as Dom).document.querySelectorAll(
            "#members li",
          ),
          (li) => li.textContent,
        ),
      ) === want,
    JSON.stringify(expected),
    { timeout: PAGE_DEADLINE_MS },
  );
}

/**
 * Waits until each page says it is connected and has joined its room, so
 * every page sees every later message of its room; with `clients`, until
 * the server counts that many members in the default room.
 */
export async function waitForConnected(
  server: TestServer,
  pages: Page[],
  clients?: number,
): Promise<void> {
  for (const page of pages) {
    await waitForState(page, "connected");
    await waitForJoined(page);
  }
  if (clients !== undefined) {
    await until(() => server.members() >= clients, `${clients} clients`);
  }
}

/**
 * natter, Chromium and one page of it, in the lobby as "ana": the set-up
 * most tests share. Disposing it closes the browser, then the server.
 */
export async function connectedPage(options: OpenPageOptions = {}) {
  await using stack = new AsyncDisposableStack();
  const server = stack.use(startServer());
  const browser = stack.use(await launch());
  const { page, problems } = await openPage(browser, server.origin + "/", {
    nick: "ana",
    ...options,
  });
  await waitForConnected(server, [page]);
  // Set up: from here the caller disposes (the browser first, as pushed last).
  const owned = stack.move();
  return {
    server,
    browser,
    page,
    problems,
    [Symbol.asyncDispose]: () => owned.disposeAsync(),
  };
}

/**
 * A plain-mode (gorilla) client in `room` of `server`, which the page shows
 * as "anonymous" (M1).
 */
export function plainClient(
  server: TestServer,
  room = "lobby",
): Promise<ChatClient> {
  return ChatClient.open(
    room === "lobby" ? server.wsUrl : `${server.wsUrl}/${room}`,
  );
}

/** Types `text` into the page's input and presses Enter. */
export async function say(page: Page, text: string): Promise<void> {
  await page.fill("#msg", text);
  await page.press("#msg", "Enter");
}

/** A short, friendly conversation: who speaks (a page's index), and what. */
export const CONVERSATION: readonly (readonly [number, string])[] = [
  [0, "hi! is this the new chat server?"],
  [1, "yes: natter, the gorilla chat example the Deno way, now with rooms"],
  [1, "this room is #deno; anyone can open another"],
  [0, "and if my wifi drops for a second?"],
  [1, "it picks up where it left off: no gap, nothing twice"],
  [0, "<b>and this stays plain text</b>"],
  [1, "as it should. see you in the benchmarks!"],
];

/**
 * Has `pages` hold `conversation`, each line awaited on every page before
 * the next is said, so all of them show it in the same order.
 */
export async function converse(
  pages: Page[],
  conversation: readonly (readonly [number, string])[] = CONVERSATION,
): Promise<void> {
  const before = await lines(pages[0]);
  for (const [i, [who, text]] of conversation.entries()) {
    await say(pages[who], text);
    for (const page of pages) await waitForLines(page, before.length + i + 1);
  }
}
