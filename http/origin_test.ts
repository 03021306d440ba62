import assert from "node:assert/strict";
import { originCheck, originHost } from "./origin.ts";

function request(origin: string | null, host = "localhost:8080"): Request {
  const headers = new Headers({ host });
  if (origin !== null) headers.set("origin", origin);
  return new Request(`http://${host}/ws`, { headers });
}

Deno.test("originHost() keeps the host and port exactly as written", () => {
  assert.equal(originHost("http://Example.COM:80"), "Example.COM:80");
  assert.equal(originHost("https://a.example/path?q#f"), "a.example");
  assert.equal(originHost("http://user:pw@h.example:1"), "h.example:1");
  assert.equal(originHost("http://[::1]:8080"), "[::1]:8080");
  assert.equal(originHost("null"), undefined);
  assert.equal(originHost("http://[::1"), undefined);
});

Deno.test("H5: originCheck() allows same host-and-port only, ignoring ASCII case", async (t) => {
  const check = originCheck();
  const cases: [string | null, string, boolean][] = [
    [null, "localhost:8080", true],
    ["http://localhost:8080", "localhost:8080", true],
    ["https://LOCALHOST:8080", "localhost:8080", true],
    ["http://localhost:8080/some/path", "localhost:8080", true],
    ["http://evil.example", "localhost:8080", false],
    ["http://localhost:8081", "localhost:8080", false],
    ["http://localhost", "localhost:8080", false],
    ["http://localhost:80", "localhost", false],
    ["null", "localhost:8080", false],
    ["http://[::1", "localhost:8080", false],
    ["not a url", "localhost:8080", false],
    ["", "localhost:8080", false],
  ];
  for (const [origin, host, allowed] of cases) {
    await t.step(`${origin} to ${host}: ${allowed}`, () => {
      assert.equal(check(request(origin, host)), allowed);
    });
  }
});

Deno.test("H5: originCheck() adds an explicit allow-list", async (t) => {
  await t.step("listed origins, ignoring case and a trailing slash", () => {
    const check = originCheck(["https://Chat.example.com/"]);
    assert.equal(check(request("https://chat.example.com")), true);
    assert.equal(check(request("http://chat.example.com")), false);
    assert.equal(check(request("http://localhost:8080")), true);
  });
  await t.step("* allows any origin", () => {
    const check = originCheck(["*"]);
    assert.equal(check(request("http://evil.example")), true);
    assert.equal(check(request("null")), true);
  });
});

Deno.test("originCheck() takes linear time on an Origin of many slashes", () => {
  // A regular expression that trims trailing slashes backtracks on every
  // position of such a header: 160 KB of slashes took many seconds.
  const check = originCheck(["https://chat.example.com"]);
  const started = performance.now();
  for (
    const origin of ["/".repeat(160_000), "a:" + "/".repeat(160_000) + "x"]
  ) {
    assert.equal(check(request(origin)), false);
  }
  const ms = performance.now() - started;
  assert.ok(ms < 2000, `two checks took ${ms.toFixed(0)} ms`);
});
