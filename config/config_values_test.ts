import assert from "node:assert/strict";
import { ConfigError, parseAddr, parseConfig } from "./config.ts";

/** An `env` lookup backed by a plain object. */
function envOf(vars: Record<string, string>): (name: string) => string {
  return (name) => vars[name];
}

/** Asserts that `fn` throws a ConfigError whose message holds each of `parts`. */
function assertConfigError(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
    for (const part of parts) {
      assert.ok(
        error.message.includes(part),
        `message ${JSON.stringify(error.message)} lacks ${part}`,
      );
    }
    return true;
  });
}

Deno.test("parseConfig() throws ConfigError quoting the flag and the value", async (t) => {
  // Each case: the flags, the environment, and what the message must quote.
  const cases: [string[], Record<string, string>, string[]][] = [
    [["--port", "abc"], {}, [`"--port"`, `"abc"`]],
    [["--port", "70000"], {}, [`"--port"`, `"70000"`]],
    [["--port=-1"], {}, [`"--port"`, `"-1"`]],
    [["--queue-size", "0"], {}, [`"--queue-size"`, `"0"`]],
    [["--max-message-size", "1.5"], {}, [`"--max-message-size"`, `"1.5"`]],
    [["--idle-timeout", "1"], {}, [`"--idle-timeout"`, `"1"`]],
    [["--write-wait", "0"], {}, [`"--write-wait"`, `"0"`]],
    [["--workers", "0"], {}, [`"--workers"`, `"0"`]],
    [["--request-timeout", "0"], {}, [`"--request-timeout"`, `"0"`]],
    [["--max-connections", "0"], {}, [`"--max-connections"`, `"0"`]],
    [["--max-connections", "many"], {}, [`"--max-connections"`, `"many"`]],
    [[], { NATTER_MAX_CONNECTIONS: "-5" }, [
      `"NATTER_MAX_CONNECTIONS"`,
      `"-5"`,
    ]],
    [["--addr", "nonsense"], {}, [`"--addr"`, `"nonsense"`]],
    [["--addr", ":http"], {}, [`"--addr"`, `"http"`]],
    [["--addr", "::1:9000"], {}, [`"--addr"`, `"::1:9000"`]],
    [["--nope"], {}, ["--nope"]],
    [["extra"], {}, ["extra"]],
    [["--port"], {}, ["--port"]],
    [[], { NATTER_PORT: "x" }, [`"NATTER_PORT"`, `"x"`]],
    [[], { NATTER_ADDR: "nonsense" }, [`"NATTER_ADDR"`, `"nonsense"`]],
    [[], { NATTER_QUEUE_SIZE: "0" }, [`"NATTER_QUEUE_SIZE"`, `"0"`]],
    [["--member-page", "0"], {}, [`"--member-page"`, `"0"`, "1 and 1000"]],
    [["--member-page", "1001"], {}, [`"--member-page"`, `"1001"`]],
    [["--rate-limit", "5", "--rate-burst", "0"], {}, [
      `"--rate-burst"`,
      `"0"`,
    ]],
    [["--history-rate", "x"], {}, [`"--history-rate"`, `"x"`]],
    [["--create-rate=-1"], {}, [`"--create-rate"`, `"-1"`]],
    [["--queue-bytes", "0"], {}, [`"--queue-bytes"`, `"0"`]],
    [["--hostname", ""], {}, [`"--hostname"`, `"" is empty`]],
    [["--admin-token", " "], {}, [`"--admin-token"`, "is empty"]],
    [["--jwt-issuer", ""], {}, [`"--jwt-issuer"`, "is empty"]],
  ];
  for (const [args, env, needles] of cases) {
    const name = [...args, ...Object.entries(env).map((e) => e.join("="))];
    await t.step(name.join(" "), () => {
      assertConfigError(() => parseConfig(args, envOf(env)), ...needles);
    });
  }
});

Deno.test("parseConfig() words a flag parseArgs refuses in one line", () => {
  // node:util's parseArgs says this one in three lines.
  assertConfigError(
    () => parseConfig(["--create-rate", "-1"]),
    "--create-rate",
  );
  assert.throws(() => parseConfig(["--create-rate", "-1"]), (error: Error) => {
    assert.ok(!/[\r\n]/.test(error.message), JSON.stringify(error.message));
    return true;
  });
});

Deno.test("parseAddr() splits host and port", async (t) => {
  await t.step(":8080 has no hostname", () => {
    assert.deepEqual(parseAddr("--addr", ":8080"), { port: 8080 });
  });
  await t.step("host:port", () => {
    assert.deepEqual(parseAddr("--addr", "example.com:80"), {
      hostname: "example.com",
      port: 80,
    });
  });
  await t.step("[v6]:port", () => {
    assert.deepEqual(parseAddr("--addr", "[::]:443"), {
      hostname: "::",
      port: 443,
    });
  });
  await t.step("errors name the label it was given", () => {
    assertConfigError(() => parseAddr("NATTER_ADDR", "8080"), `"NATTER_ADDR"`);
    assertConfigError(
      () => parseAddr("--addr", "host:99999"),
      `"--addr"`,
      "99999",
    );
  });
});
