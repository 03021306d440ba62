/**
 * End-to-end tests of the real program: `main.ts` run by `deno run` as a
 * subprocess, with the permissions of the `start` task, from a working
 * directory that is not the repository (D4).
 *
 * @module
 */

import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { ENV_VARS } from "../config/config.ts";
import { pageUrl } from "../main.ts";
import { ChatClient, deadline } from "../test_util/natter.ts";
import { rawHandshake } from "../test_util/raw_ws.ts";
import {
  EXIT_DEADLINE_MS,
  MAIN,
  NatterProcess,
  startFlags,
} from "../test_util/process.ts";

/** `main.ts` as `deno task start` runs it, from a temporary directory. */
const Natter = {
  spawn: (args: string[], env: Record<string, string> = {}) =>
    NatterProcess.spawn(
      Deno.execPath(),
      ["run", ...startFlags(), MAIN, ...args],
      { env },
    ),
  start: (args: string[] = []) =>
    NatterProcess.start(Deno.execPath(), [
      "run",
      ...startFlags(),
      MAIN,
      ...args,
    ]),
};

const wsUrl = NatterProcess.wsUrl;

/** Output lines that carry text. */
function nonEmpty(lines: string[]): string[] {
  return lines.filter((line) => line.trim() !== "");
}

Deno.test("deno.json tasks allow exactly the NATTER_ variables config.ts reads", () => {
  const expected = `--allow-env=${ENV_VARS.join(",")}`;
  assert.ok(startFlags().includes(expected), denoJson.tasks.start);
  assert.ok(
    denoJson.tasks.compile.split(/\s+/).includes(expected),
    denoJson.tasks.compile,
  );
});

Deno.test("pageUrl() names a host a browser can open", async (t) => {
  await t.step("a wildcard address becomes localhost", () => {
    const addr = { transport: "tcp", port: 8080 } as const;
    assert.equal(
      pageUrl({ ...addr, hostname: "0.0.0.0" }),
      "http://localhost:8080/",
    );
    assert.equal(
      pageUrl({ ...addr, hostname: "::" }),
      "http://localhost:8080/",
    );
  });
  await t.step("IPv6 gets brackets", () => {
    assert.equal(
      pageUrl({ transport: "tcp", hostname: "::1", port: 9000 }),
      "http://[::1]:9000/",
    );
  });
});

Deno.test("main() prints the URL and serves the page from any working directory (D4)", async () => {
  await using natter = await Natter.start();
  assert.notEqual(natter.cwd, Deno.cwd());
  const response = await fetch(natter.url);
  const body = await response.text();
  assert.equal(response.status, 200);
  assert.equal(
    response.headers.get("content-type"),
    "text/html; charset=utf-8",
  );
  assert.ok(body.includes("<title>natter"), body.slice(0, 200));
  natter.child.kill("SIGTERM");
  assert.equal((await natter.exit()).code, 0);
});

Deno.test("main() reads its settings from NATTER_ variables", async () => {
  await using natter = await Natter.spawn([], {
    NATTER_HOSTNAME: "127.0.0.1",
    NATTER_PORT: "0",
  });
  const line = await natter.stdout.find(/listening on/, "the URL line");
  const match = /^natter: listening on (http:\/\/127\.0\.0\.1:\d+\/) /
    .exec(line);
  assert.ok(match, line);
  const response = await fetch(match[1]);
  await response.body?.cancel();
  assert.equal(response.status, 200);
  natter.child.kill("SIGTERM");
  assert.equal((await natter.exit()).code, 0);
});

Deno.test("main() exits 0 on SIGTERM sent as soon as the URL is printed", async () => {
  // The URL line tells a supervisor natter is ready: from then on a signal
  // must stop it cleanly, not kill it (143). A race, so try it a few times.
  const outcomes: string[] = [];
  for (let attempt = 0; attempt < 10; attempt++) {
    await using natter = await Natter.start();
    natter.child.kill("SIGTERM");
    const { code, signal } = await natter.exit();
    outcomes.push(signal ?? String(code));
  }
  assert.deepEqual(outcomes, Array(10).fill("0"));
});

Deno.test("main() closes clients with 1012 on SIGTERM, 1001 on SIGINT, and exits 0", async (t) => {
  const closes = {
    SIGTERM: { code: 1012, reason: "service restart" },
    SIGINT: { code: 1001, reason: "server shutting down" },
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    await t.step(signal, async () => {
      await using natter = await Natter.start();
      await using a = await ChatClient.open(wsUrl(natter.url));
      await using b = await ChatClient.open(wsUrl(natter.url));
      // A client that received a broadcast is registered with the Hub.
      a.send("from a");
      b.send("from b");
      await Promise.all([a.waitForMessages(1), b.waitForMessages(1)]);
      natter.child.kill(signal);
      const [closeA, closeB] = await deadline(
        Promise.all([a.closed, b.closed]),
        "both clients to be closed",
      );
      for (const close of [closeA, closeB]) {
        assert.deepEqual(
          { code: close.code, reason: close.reason },
          closes[signal],
        );
      }
      const { code, stderr } = await natter.output();
      assert.equal(code, 0);
      assert.ok(
        stderr.includes(`natter: ${signal}: closing connections`),
        stderr.join("\n"),
      );
    });
  }
});

Deno.test("main() exits 0 on SIGTERM despite a stalled client", async (t) => {
  // natter gives up on a peer that does not answer after 5 s (docs/operations.md); the
  // exit deadline comes on top of that, so a slow machine has 10 s to spare.
  const exitDeadline = 5000 + EXIT_DEADLINE_MS;
  // Loopback TCP absorbs about 4 MB that a peer never reads, so 400-byte
  // messages would take too many: send 32 KiB ones, 8 MiB in all, which fills
  // the kernel's buffers and then the socket's own past its high-water mark.
  const size = 32 * 1024;
  const count = 256;
  const big = ["--max-message-size", String(size)];
  const variants = [
    {
      name: "evicted for a full queue before the signal",
      // natter keeps an evicted client's queue while its socket might still
      // drain (O2); it gives up, and logs the eviction, after the write wait.
      args: [...big, "--queue-size", "64", "--write-wait", "1"].concat(
        // Room in bytes for every queued message, as --queue-bytes must be.
        ["--queue-bytes", String(64 * (size + 1))],
      ),
      evicted: true,
    },
    {
      name: "still registered when the signal comes",
      args: [...big, "--queue-size", "100000", "--write-wait", "3600"].concat(
        ["--queue-bytes", String(100000 * (size + 1))],
      ),
      evicted: false,
    },
  ];
  for (const { name, args, evicted } of variants) {
    await t.step(name, async () => {
      await using natter = await Natter.start(args);
      const addr = { hostname: "127.0.0.1", port: Number(natter.url.port) };
      const { status, conn } = await rawHandshake(addr);
      assert.equal(status, 101);
      await using stalled = conn!;
      // Read its own echo, proving it is registered; after that, never read.
      await stalled.sendText("stalled");
      assert.equal(
        await deadline(stalled.readText(), "the stalled client's echo"),
        "stalled",
      );
      await using sender = await ChatClient.open(wsUrl(natter.url));
      sender.send("sender");
      await sender.waitForMessages(1);
      const message = "x".repeat(size);
      for (let sent = 0; sent < count;) {
        // Fewer than the queue holds, so the sender itself keeps up.
        for (let i = 0; i < 8; i++, sent++) sender.send(message);
        await sender.waitForMessages(1 + sent);
      }
      if (evicted) {
        await natter.stderr.find(
          /client evicted: send queue full/,
          "the stalled client to be evicted",
        );
      }
      const start = Date.now();
      natter.child.kill("SIGTERM");
      const closed = await deadline(sender.closed, "the sender to be closed");
      assert.equal(closed.code, 1012, "SIGTERM is a restart");
      const { code, stderr } = await natter.output(exitDeadline);
      assert.equal(code, 0);
      const elapsed = Date.now() - start;
      assert.ok(elapsed < exitDeadline, `took ${elapsed} ms`);
      if (!evicted) {
        // Proof that the client really stalled: only the deadline ended it.
        assert.ok(
          stderr.includes("natter: gave up waiting for stalled connections"),
          stderr.join("\n"),
        );
      }
    });
  }
});

Deno.test("main() exits 2 with one line on stderr for a bad setting", async (t) => {
  const cases: [string, string[], Record<string, string>][] = [
    ["--port abc", ["--port", "abc"], {}],
    ["--nope", ["--nope"], {}],
    ["NATTER_PORT=x", [], { NATTER_PORT: "x" }],
    // parseArgs explains this one in three lines.
    ["--create-rate -1", ["--create-rate", "-1"], {}],
    ["--rate-burst without --rate-limit", ["--rate-burst", "5"], {}],
    ["--jwt-secret shorter than 32 bytes", ["--jwt-secret", "short"], {}],
    ["--presence-expiry without --redis", ["--presence-expiry", "9"], {}],
    ["--key without --cert", ["--key", "k.pem"], {}],
    ["NATTER_JWT_ISSUER without a key", [], { NATTER_JWT_ISSUER: "i" }],
  ];
  for (const [name, args, env] of cases) {
    await t.step(name, async () => {
      await using natter = await Natter.spawn(args, env);
      const { code, stdout, stderr } = await natter.output();
      assert.equal(code, 2);
      assert.deepEqual(stdout, []);
      const lines = nonEmpty(stderr);
      assert.equal(lines.length, 1, stderr.join("\n"));
      assert.ok(lines[0].startsWith("natter: "), lines[0]);
      assert.ok(!/\bat\b.*:\d+:\d+/.test(lines[0]), lines[0]);
      assert.ok(lines[0].includes(name.split(/[ =]/)[0]), lines[0]);
    });
  }
});

Deno.test("main() exits 1 with one line on stderr when the port is in use", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await using natter = await Natter.spawn([
    "--hostname",
    "127.0.0.1",
    "--port",
    String(listener.addr.port),
  ]);
  const { code, stdout, stderr } = await natter.output();
  assert.equal(code, 1);
  assert.deepEqual(nonEmpty(stdout), []);
  const lines = nonEmpty(stderr);
  assert.equal(lines.length, 1, stderr.join("\n"));
  assert.ok(lines[0].startsWith("natter: "), lines[0]);
  assert.ok(lines[0].includes("already in use"), lines[0]);
  assert.ok(lines[0].includes(String(listener.addr.port)), lines[0]);
});

Deno.test("main() prints usage to stdout and exits 0 for --help", async (t) => {
  for (const flag of ["--help", "-h"]) {
    await t.step(flag, async () => {
      await using natter = await Natter.spawn([flag]);
      const { code, stdout, stderr } = await natter.output();
      assert.equal(code, 0);
      assert.deepEqual(nonEmpty(stderr), []);
      assert.ok(stdout[0].startsWith("Usage: natter"), stdout.join("\n"));
      const names = ["--addr", "--port", "--allow-origin", "--help"];
      names.push("--max-connections", "--request-timeout");
      for (const name of names) {
        assert.ok(stdout.some((line) => line.includes(name)), name);
      }
    });
  }
});
