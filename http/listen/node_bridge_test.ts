import assert from "node:assert/strict";
import { listen } from "./listen.ts";
import { deadline } from "../../test_util/natter.ts";

/** Sends `head` as a raw request to `port`; resolves with the status line and body. */
async function send(port: number, head: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(head));
  let text = "";
  const buffer = new Uint8Array(4096);
  const decoder = new TextDecoder();
  for (;;) {
    const n = await deadline(conn.read(buffer), "the answer").catch(() => null);
    if (n === null) break;
    text += decoder.decode(buffer.subarray(0, n), { stream: true });
    if (/\r\n\r\n[^]*\n$/.test(text)) break;
  }
  conn.close();
  const [status] = text.split("\r\n");
  return `${status}|${text.slice(text.indexOf("\r\n\r\n") + 4)}`;
}

/** A listener whose handler answers with the URL it saw and the Host header. */
function echoUrl() {
  return listen({ hostname: "127.0.0.1", port: 0 }, (request) => {
    const url = new URL(request.url);
    const host = request.headers.get("host");
    return new Response(`${url.pathname}${url.search} ${host}\n`);
  });
}

Deno.test("toRequest() takes the path from the request target, never from Host", async (t) => {
  await using listener = echoUrl();
  const { port } = listener.addr;
  await t.step("a Host with a path in it is 400", async () => {
    for (const host of ["h/metrics#", "127.0.0.1/healthz#", "a?b", "x@y", ""]) {
      const answer = await send(
        port,
        `GET /ws HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      assert.match(answer, /^HTTP\/1\.1 400 /, `Host ${JSON.stringify(host)}`);
    }
  });
  await t.step("an origin-form target keeps its path and query", async () => {
    const answer = await send(
      port,
      "GET /ws//x?a=1 HTTP/1.1\r\nHost: chat.example:8080\r\n" +
        "Connection: close\r\n\r\n",
    );
    assert.equal(answer, "HTTP/1.1 200 OK|/ws//x?a=1 chat.example:8080\n");
  });
  await t.step("an absolute-form target uses its own path", async () => {
    const answer = await send(
      port,
      "GET http://x/y?q=2 HTTP/1.1\r\nHost: [::1]:9\r\nConnection: close\r\n\r\n",
    );
    assert.equal(answer, "HTTP/1.1 200 OK|/y?q=2 [::1]:9\n");
  });
});
