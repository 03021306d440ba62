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

import { type Browser, chromium, type Page } from "playwright-core";
import type { TestServer } from "./natter.ts";
import { startServer, until } from "./natter.ts";

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
 * Whether `CI` says this is a CI run. CI services set it to `true`, `1` or a
 * name of their own, so anything but empty, `false` or `0` counts.
 */
export function isCI(value = Deno.env.get("CI")): boolean {
  const ci = value?.trim().toLowerCase() ?? "";
  return ci !== "" && ci !== "false" && ci !== "0";
}

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
    if (message.type() === "error" && !/favicon/.test(message.text())) {
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
  await page.goto(url);
  return { page, problems };
}

/** Every Content-Security-Policy violation the page has reported so far. */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate<string[]>("__cspViolations");
}

/** The text of every message line in the page's log, in order. */
export function lines(page: Page): Promise<string[]> {
  return page.locator("#log .msg").allTextContents();
}

/** Waits until the page's log shows at least `count` message lines. */
export async function waitForLines(page: Page, count: number): Promise<void> {
  await page.locator("#log .msg").nth(count - 1).waitFor();
}

/** Waits until the page's status is `state` (connected, reconnecting...). */
export async function waitForState(page: Page, state: string): Promise<void> {
  await page.locator(`#status[data-state="${state}"]`).waitFor();
}

/**
 * Waits until each page says it is connected and the Hub has registered
 * `clients` clients in all, so every page sees every later message.
 */
export async function waitForConnected(
  server: TestServer,
  pages: Page[],
  clients = pages.length,
): Promise<void> {
  for (const page of pages) await waitForState(page, "connected");
  await until(() => server.hub.size >= clients, `${clients} clients`);
}

/**
 * natter, Chromium and one page of it connected: the set-up most tests share.
 * Disposing it closes the browser, then the server.
 */
export async function connectedPage() {
  await using stack = new AsyncDisposableStack();
  const server = stack.use(startServer());
  const browser = stack.use(await launch());
  const { page, problems } = await openPage(browser, server.origin + "/");
  await waitForConnected(server, [page]);
  // Set up: from here the caller disposes (the browser first, as pushed last).
  const owned = stack.move();
  return {
    server,
    page,
    problems,
    [Symbol.asyncDispose]: () => owned.disposeAsync(),
  };
}

/** Types `text` into the page's input and presses Enter. */
export async function say(page: Page, text: string): Promise<void> {
  await page.fill("#msg", text);
  await page.press("#msg", "Enter");
}

/** A short, friendly conversation: who speaks (a page's index), and what. */
export const CONVERSATION: readonly (readonly [number, string])[] = [
  [0, "hi! is this the new chat server?"],
  [1, "yes: natter, the gorilla chat example, the Deno way"],
  [0, "does it keep up when everyone talks at once?"],
  [1, "each client gets a turn's messages in one frame, so yes"],
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
