/**
 * The production surface of the program itself: JSON logs, TLS, and the
 * SIGTERM order of a rolling restart.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import denoJson from "../deno.json" with { type: "json" };
import { ChatClient, deadline } from "../test_util/natter.ts";
import { NatterProcess } from "../test_util/process.ts";
import { V1Client } from "../test_util/v1.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

/** `main.ts` with the flags of `deno task start`, plus `args`. */
function start(args: string[]) {
  const words = denoJson.tasks.start.split(/\s+/).slice(2, -1);
  return NatterProcess.start(Deno.execPath(), ["run", ...words, MAIN, ...args]);
}

Deno.test("--log-format json: every line on stderr is one JSON object", async () => {
  const natter = await start([
    "--log-format",
    "json",
    "--max-message-size",
    "8",
  ]);
  try {
    const url = NatterProcess.wsUrl(natter.url);
    await using big = await ChatClient.open(url);
    big.send("far too long");
    await deadline(big.closed, "the 1009 close");
    await using v1 = await V1Client.open(url);
    v1.socket.send(new Uint8Array([1]));
    await deadline(v1.closed, "the 1003 close");
    natter.child.kill("SIGINT");
    const { code, stderr } = await natter.output();
    assert.equal(code, 0);
    const lines = stderr.filter((line) => line.trim() !== "");
    assert.ok(lines.length >= 3, stderr.join("\n"));
    const events = lines.map((line) => JSON.parse(line));
    for (const event of events) {
      assert.equal(typeof event.level, "string");
      assert.equal(typeof event.message, "string");
      assert.ok(
        !Number.isNaN(Date.parse(event["@timestamp"])),
        event["@timestamp"],
      );
    }
    const closes = events.filter((e) => e.event === "server_close");
    assert.deepEqual(closes.map((e) => [e.code, e.reason]).sort(), [
      [1003, "binary messages are not supported"],
      [1009, "message too big"],
    ]);
    assert.ok(
      events.some((e) => e.event === "shutdown" && e.signal === "SIGINT"),
    );
  } finally {
    await natter[Symbol.asyncDispose]();
  }
});

Deno.test("--log-level warning: info lines are left out", async () => {
  const natter = await start(["--log-level", "warning"]);
  try {
    natter.child.kill("SIGINT");
    const { code, stderr } = await natter.output();
    assert.equal(code, 0);
    assert.deepEqual(stderr.filter((l) => l.trim() !== ""), []);
  } finally {
    await natter[Symbol.asyncDispose]();
  }
});

Deno.test("SIGTERM: /readyz turns 503 first, then clients get 1012", async () => {
  const natter = await start(["--drain-delay", "2"]);
  try {
    const url = NatterProcess.wsUrl(natter.url);
    await using client = await ChatClient.open(url);
    const readyz = async () => {
      const response = await fetch(new URL("/readyz", natter.url));
      await response.body?.cancel();
      return response.status;
    };
    assert.equal(await readyz(), 200);
    let closedAt: number | undefined;
    client.closed.then(() => closedAt = Date.now());
    natter.child.kill("SIGTERM");
    // Polled: no event says the flag turned.
    let notReadyAt: number | undefined;
    const until = Date.now() + 5000;
    while (notReadyAt === undefined && Date.now() < until) {
      if (await readyz() === 503) notReadyAt = Date.now();
    }
    assert.ok(notReadyAt, "/readyz never turned 503");
    assert.equal(closedAt, undefined, "the client was closed before /readyz");
    const close = await deadline(client.closed, "the 1012 close");
    assert.deepEqual([close.code, close.reason], [1012, "service restart"]);
    assert.ok(closedAt! >= notReadyAt!);
    assert.equal((await natter.output()).code, 0);
  } finally {
    await natter[Symbol.asyncDispose]();
  }
});

/** Runs openssl with `args`; fails the test with its stderr. */
async function openssl(...args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command("openssl", {
    args,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(success, new TextDecoder().decode(stderr));
}

/**
 * A throwaway CA and a certificate it signed for 127.0.0.1, in `dir`:
 * the CA's certificate, the server's certificate and the server's key.
 */
async function makeCertificate(dir: string): Promise<string[]> {
  const [caKey, ca, key, csr, cert, ext] = [
    "ca.key",
    "ca.pem",
    "key.pem",
    "server.csr",
    "cert.pem",
    "ext.cnf",
  ].map((name) => `${dir}/${name}`);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await openssl(
    "req",
    "-x509",
    ...ec,
    "-days",
    "1",
    "-subj",
    "/CN=natter test CA",
    "-keyout",
    caKey,
    "-out",
    ca,
  );
  await openssl(
    "req",
    "-new",
    ...ec,
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    key,
    "-out",
    csr,
  );
  await Deno.writeTextFile(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await openssl(
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    ca,
    "-CAkey",
    caKey,
    "-CAcreateserial",
    "-days",
    "1",
    "-extfile",
    ext,
    "-out",
    cert,
  );
  return [ca, cert, key];
}

Deno.test("--cert and --key: natter serves https and wss (D1's other half)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "natter_tls_" });
  try {
    const [ca, cert, key] = await makeCertificate(dir);
    const natter = await start(["--cert", cert, "--key", key]);
    try {
      assert.equal(natter.url.protocol, "https:");
      const caCerts = [await Deno.readTextFile(ca)];
      const client = Deno.createHttpClient({ caCerts });
      const page = await fetch(natter.url, { client });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/i);
      client.close();
      // A WebSocket handshake over TLS.
      const conn = await Deno.connectTls({
        hostname: "127.0.0.1",
        port: Number(natter.url.port),
        caCerts,
      });
      await conn.write(new TextEncoder().encode(
        `GET /ws HTTP/1.1\r\nHost: ${natter.url.host}\r\nUpgrade: websocket\r\n` +
          "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      ));
      const buffer = new Uint8Array(1024);
      const n = await deadline(conn.read(buffer), "the handshake's answer");
      const head = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
      assert.match(head, /^HTTP\/1\.1 101 /);
      conn.close();
    } finally {
      await natter[Symbol.asyncDispose]();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a bad --jwt-public-key or a lone --cert is a one-line error, exit 2", async (t) => {
  for (
    const args of [["--jwt-public-key", "/nonexistent.pem"], [
      "--cert",
      "x.pem",
    ]]
  ) {
    await t.step(args.join(" "), async () => {
      await using natter = await NatterProcess.spawn(Deno.execPath(), [
        "run",
        ...denoJson.tasks.start.split(/\s+/).slice(2, -1),
        MAIN,
        ...args,
      ]);
      const { code, stderr } = await natter.output();
      assert.equal(code, 2);
      const lines = stderr.filter((l) => l.trim() !== "");
      assert.equal(lines.length, 1, stderr.join("\n"));
      assert.match(lines[0], /^natter: /);
    });
  }
});
