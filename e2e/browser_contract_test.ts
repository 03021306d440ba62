/**
 * The page's contract items that need a browser set up differently from the
 * chat tests: loaded over https (D1), and in a browser without WebSocket
 * (P1). They check what the contract says, not the page's markup or its
 * message format, so they hold however the page is written.
 *
 * @module
 */

import assert from "node:assert/strict";
import { servePage } from "../http/page.ts";
import { browserTest, launch, openPage } from "../test_util/browser.ts";
import { deadline, startServer } from "../test_util/natter.ts";

/** A self-signed certificate for 127.0.0.1, made with openssl, and its key. */
async function throwawayCertificate() {
  const dir = await Deno.makeTempDir({ prefix: "natter_tls_" });
  try {
    const { success, stderr } = await new Deno.Command("openssl", {
      args: [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        `${dir}/key.pem`,
        "-out",
        `${dir}/cert.pem`,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(success, new TextDecoder().decode(stderr));
    return {
      cert: await Deno.readTextFile(`${dir}/cert.pem`),
      key: await Deno.readTextFile(`${dir}/key.pem`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** An upgrade request that reached the test's https server. */
interface Upgrade {
  /** The request's URL as the server saw it: `https:` when over TLS. */
  url: URL;
  /** Settles when the server's end of the socket is open. */
  opened: Promise<void>;
}

/**
 * Serves natter's page over https with `tls`, and accepts WebSocket upgrades
 * on `/ws` and below, recording each; a subprotocol the page asks for is
 * accepted, so this holds for the plain and the structured page alike.
 */
function serveOverTls(tls: { cert: string; key: string }) {
  const upgrades: Upgrade[] = [];
  const arrived = Promise.withResolvers<void>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    ...tls,
    onListen() {},
  }, (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/") return servePage(request);
    const upgrade = request.headers.get("upgrade")?.toLowerCase();
    if (!url.pathname.startsWith("/ws") || upgrade !== "websocket") {
      return new Response("Not Found\n", { status: 404 });
    }
    const protocol = request.headers.get("sec-websocket-protocol")
      ?.split(",")[0].trim();
    const { socket, response } = Deno.upgradeWebSocket(request, { protocol });
    const opened = Promise.withResolvers<void>();
    socket.onopen = () => opened.resolve();
    upgrades.push({ url, opened: opened.promise });
    arrived.resolve();
    return response;
  });
  return Object.assign(server, { upgrades, arrived: arrived.promise });
}

Deno.test(
  "D1: a page loaded over https connects with wss:// to its own host",
  browserTest,
  async () => {
    await using server = serveOverTls(await throwawayCertificate());
    const origin = `https://127.0.0.1:${server.addr.port}`;
    await using browser = await launch({
      args: ["--ignore-certificate-errors"],
    });
    const { page } = await openPage(browser, "about:blank");
    const socket = page.waitForEvent("websocket");
    // Awaited below; should the test fail first, closing the page rejects it.
    socket.catch(() => {});
    await page.goto(origin + "/");
    await deadline(server.arrived, "the page's WebSocket upgrade");
    const [upgrade] = server.upgrades;
    assert.equal(upgrade.url.protocol, "https:", "the upgrade came over TLS");
    assert.ok(upgrade.url.pathname.startsWith("/ws"), upgrade.url.pathname);
    await deadline(upgrade.opened, "the page's socket to open");
    // What the page itself asked for: wss:// to the host it came from.
    const url = new URL((await socket).url());
    assert.equal(url.protocol, "wss:");
    assert.equal(url.host, new URL(origin).host);
    assert.ok(url.pathname.startsWith("/ws"), url.pathname);
  },
);

/** What P1 has the page say in a browser without WebSocket. */
const UNSUPPORTED = "Your browser does not support WebSockets.";

Deno.test(
  'P1: without WebSocket the page says "Your browser does not support WebSockets."',
  browserTest,
  async () => {
    await using server = startServer();
    await using browser = await launch();
    const { page, problems } = await openPage(browser, "about:blank");
    // Runs before the page's own script, in every document of the page.
    await page.addInitScript({ content: "delete globalThis.WebSocket;" });
    await page.goto(server.origin + "/");
    assert.equal(await page.evaluate("typeof WebSocket"), "undefined");
    // Anywhere the page shows it, exactly as the contract words it (a
    // locator, as the page's CSP refuses the eval of waitForFunction).
    const exactly = new RegExp(
      UNSUPPORTED.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    );
    await page.getByText(exactly).first().waitFor();
    assert.ok((await page.innerText("body")).includes(UNSUPPORTED));
    assert.deepEqual(problems.errors, [], "the page handled it, no errors");
    assert.equal(server.members(), 0);
  },
);
