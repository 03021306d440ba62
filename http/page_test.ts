import assert from "node:assert/strict";
import { CONTENT_SECURITY_POLICY, pageAt, servePage } from "./page.ts";
import { startServer } from "../test_util/natter.ts";

/** The CSP hash source for `text`, computed here independently of page.ts. */
async function hashSource(text: string): Promise<string> {
  const bytes = new TextEncoder().encode(text);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return `'sha256-${btoa(String.fromCharCode(...digest))}'`;
}

/** The policy's directives by name, each with its list of sources. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(";").map((d) => {
      const [name, ...sources] = d.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

Deno.test("servePage() sends a CSP that allows exactly the page's inline script and style (H1)", async () => {
  await using server = startServer();
  const response = await fetch(server.origin + "/");
  const html = await response.text();
  assert.equal(response.status, 200);
  assert.equal(
    response.headers.get("content-type"),
    "text/html; charset=utf-8",
  );
  const csp = response.headers.get("content-security-policy");
  assert.equal(csp, CONTENT_SECURITY_POLICY);
  const policy = directives(csp);
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
  assert.equal(scripts.length, 1, "one inline script");
  assert.equal(styles.length, 1, "one inline style");
  assert.deepEqual(policy.get("script-src"), [await hashSource(scripts[0][1])]);
  assert.deepEqual(policy.get("style-src"), [await hashSource(styles[0][1])]);
  assert.deepEqual(policy.get("default-src"), ["'none'"]);
  assert.deepEqual(policy.get("connect-src"), ["'self'"]);
  assert.deepEqual(policy.get("frame-ancestors"), ["'none'"]);
  assert.ok(!/unsafe|\*|data:|https?:/.test(csp), `nothing broad: ${csp}`);
  assert.equal(response.headers.get("x-content-type-options"), "nosniff");
  assert.equal(response.headers.get("referrer-policy"), "no-referrer");
});

Deno.test("servePage() answers HEAD with the same headers as GET and no body (D2)", async () => {
  await using server = startServer();
  const get = await fetch(server.origin + "/");
  const body = await get.bytes();
  const head = await fetch(server.origin + "/", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");
  for (
    const name of [
      "content-type",
      "content-security-policy",
      "x-content-type-options",
      "referrer-policy",
    ]
  ) {
    assert.equal(head.headers.get(name), get.headers.get(name), name);
  }
  assert.equal(head.headers.get("content-length"), String(body.byteLength));
});

Deno.test("pageAt() writes the base into the page, outside its script, and keeps the policy whole", async (t) => {
  const root = await servePage(new Request("http://x/")).text();
  await t.step("under /chat", async () => {
    const response = pageAt("/chat")(new Request("http://x/chat/"));
    assert.equal(
      response.headers.get("content-security-policy"),
      CONTENT_SECURITY_POLICY,
    );
    const html = await response.text();
    assert.match(html, /<meta name="natter-base" content="\/chat">/);
    assert.equal(
      html.replace('content="/chat"', 'content=""'),
      root,
      "nothing else changes",
    );
    const head = pageAt("/chat")(new Request("http://x/", { method: "HEAD" }));
    assert.equal(
      head.headers.get("content-length"),
      String(new TextEncoder().encode(html).byteLength),
    );
  });
  await t.step(
    "a base that would break out of the attribute cannot",
    async () => {
      const html = await pageAt('/"><script>alert(1)</script>')(
        new Request("http://x/"),
      ).text();
      assert.match(
        html,
        /content="\/&#34;&#62;&#60;script&#62;alert\(1\)&#60;\/script&#62;"/,
      );
      assert.equal(html.match(/<script>/g)?.length, 1, "still one script");
    },
  );
  await t.step("other methods: 405", () => {
    const response = pageAt("/chat")(
      new Request("http://x/chat/", { method: "POST" }),
    );
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "GET, HEAD");
  });
});
