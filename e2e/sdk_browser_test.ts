/**
 * The client library in headless Chromium: `sdk/mod.ts` bundled for the
 * browser by `deno bundle`, loaded by a page of an application's own origin
 * (which natter allows), joins a room, sends, receives, and reads a refusal
 * as its typed error.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { browserTest, launch, PAGE_DEADLINE_MS } from "../test_util/browser.ts";
import { deadline, startServer } from "../test_util/natter.ts";
import { connect, type Message } from "../sdk/mod.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The client library as one browser script, built by `deno bundle`. */
async function bundle(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "natter_sdk_" });
  try {
    const out = `${dir}/natter-client.js`;
    const { success, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--platform=browser", "-o", out, "sdk/mod.ts"],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(
      success,
      `deno bundle failed: ${new TextDecoder().decode(stderr)}`,
    );
    return await Deno.readTextFile(out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * The page: connects to natter at `url`, joins "den" as ana, is refused a
 * message too long, says hello, and logs what it hears.
 */
const pageFor = (url: string) =>
  `<!doctype html>
<meta charset="utf-8">
<title>sdk</title>
<pre id="out"></pre>
<script type="module">
import { connect, NatterError } from "./natter-client.js";
const out = document.getElementById("out");
const log = (line) => { out.textContent += line + "\\n"; };
const client = await connect(${JSON.stringify(url)});
const room = await client.join("den", { nick: "ana" });
log("joined, backlog " + room.backlog.map((m) => m.text).join(","));
room.addEventListener("message", (event) => {
  const m = event.detail;
  if (!room.mine(m)) log("<" + m.from.nick + "> " + m.text);
});
try {
  await room.send("x".repeat(600));
} catch (error) {
  log("refused: " + (error instanceof NatterError) + " " + error.code);
}
log("ack " + await room.send("from the browser"));
</script>
`;

Deno.test(
  "the client library in Chromium joins a room, sends, receives, and types a refusal",
  browserTest,
  async () => {
    const script = await deadline(bundle(), "deno bundle", 60_000);
    assert.doesNotMatch(script, /^import /m, "one script, importing nothing");
    // The page comes from an application's own origin, which natter is
    // told to allow (H5), as an application using natter would.
    await using site = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request) => {
        const js = new URL(request.url).pathname.endsWith(".js");
        return new Response(js ? script : pageFor(natterUrl), {
          headers: {
            "content-type": js ? "text/javascript" : "text/html",
          },
        });
      },
    );
    const siteOrigin = `http://127.0.0.1:${site.addr.port}`;
    await using server = startServer({ allowOrigins: [siteOrigin] });
    const natterUrl = server.wsUrl;
    await using deno = await connect(server.wsUrl);
    const room = await deno.join("den", { nick: "bo" });
    await room.send("before the page");
    const heard = (async () => {
      for await (const m of room) if (m.from.nick === "ana") return m;
    })() as Promise<Message>;

    await using browser = await launch();
    const tab = await browser.newPage();
    tab.setDefaultTimeout(PAGE_DEADLINE_MS);
    const errors: string[] = [];
    tab.on("pageerror", (error) => errors.push(error.message));
    tab.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await tab.goto(`${siteOrigin}/chat/`);

    const fromPage = await deadline(heard, "the page's message").catch(
      async (error) => {
        const shown = await tab.textContent("#out").catch(() => null);
        throw new Error(
          `${error.message}; the page says ${JSON.stringify(shown)}; ` +
            `its errors: ${JSON.stringify(errors)}`,
        );
      },
    );
    assert.equal(fromPage.text, "from the browser");
    assert.equal(fromPage.offset, 2);
    await room.send("from deno");
    await tab.waitForFunction(
      `document.getElementById("out").textContent.includes("<bo> from deno")`,
    );
    const lines = (await tab.textContent("#out"))!.trim().split("\n");
    assert.deepEqual(lines, [
      "joined, backlog before the page",
      "refused: true too_big",
      "ack 2",
      "<bo> from deno",
    ]);
    assert.deepEqual(errors, []);
  },
);
