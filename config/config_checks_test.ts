import assert from "node:assert/strict";
import { ConfigError, MIN_SECRET_BYTES, parseConfig } from "./config.ts";

/** An `env` lookup backed by a plain object. */
function envOf(vars: Record<string, string>): (name: string) => string {
  return (name) => vars[name];
}

Deno.test("parseConfig() refuses settings that cannot work together, in one line", async (t) => {
  const secret = "s".repeat(MIN_SECRET_BYTES);
  // Each case: the flags, the environment, and the whole message.
  const cases: [string[], Record<string, string>, string][] = [
    [
      ["--cert", "c.pem"],
      {},
      `Cannot use "--cert" without "--key": TLS needs the certificate's key`,
    ],
    [
      [],
      { NATTER_KEY: "k.pem" },
      `Cannot use "NATTER_KEY" without "--cert": TLS needs a certificate`,
    ],
    [
      ["--jwt-secret", secret, "--jwt-public-key", "k.pem"],
      {},
      `Cannot use "--jwt-secret" with "--jwt-public-key": tokens are checked with one key`,
    ],
    [
      ["--jwt-issuer", "https://auth.example"],
      {},
      `Cannot use "--jwt-issuer" without "--jwt-secret" or "--jwt-public-key": no token is checked`,
    ],
    [
      [],
      { NATTER_JWT_AUDIENCE: "natter" },
      `Cannot use "NATTER_JWT_AUDIENCE" without "--jwt-secret" or "--jwt-public-key": no token is checked`,
    ],
    [
      ["--jwt-secret", "s".repeat(MIN_SECRET_BYTES - 1)],
      {},
      `Cannot use "--jwt-secret": it is 31 bytes, HS256 needs at least 32`,
    ],
    [
      [],
      { NATTER_JWT_SECRET: "é".repeat(15) },
      `Cannot use "NATTER_JWT_SECRET": it is 30 bytes, HS256 needs at least 32`,
    ],
    [
      ["--rate-burst", "5"],
      {},
      `Cannot use "--rate-burst" without "--rate-limit": there is no rate to burst within`,
    ],
    [
      ["--rate-burst", "5", "--rate-limit", "0"],
      {},
      `Cannot use "--rate-burst" without "--rate-limit": there is no rate to burst within`,
    ],
    [
      ["--presence-expiry", "10"],
      {},
      `Cannot use "--presence-expiry" without "--redis": presence expires only in a Redis shared by several nodes`,
    ],
    [
      ["--queue-bytes", "1000"],
      {},
      `Cannot use "--queue-bytes": "1000" is less than --queue-size x (--max-message-size + 1) = 131328, so a full queue would not fit`,
    ],
    [
      ["--max-message-size", "8192"],
      { NATTER_QUEUE_SIZE: "200" },
      `Cannot use "--queue-bytes": "1048576" is less than NATTER_QUEUE_SIZE x (--max-message-size + 1) = 1638600, so a full queue would not fit`,
    ],
    [
      ["--history-bytes", "1000000"],
      {},
      `Cannot use "--queue-bytes": "1048576" is less than twice --history-bytes (1000000), so a join that recovers the whole history would not fit`,
    ],
  ];
  for (const [args, env, message] of cases) {
    const name = [...args, ...Object.entries(env).map((e) => e.join("="))];
    await t.step(name.join(" "), () => {
      assert.throws(() => parseConfig(args, envOf(env)), (error: unknown) => {
        assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
        assert.equal(error.message, message);
        return true;
      });
    });
  }
  await t.step("what does work together is taken", () => {
    parseConfig(["--cert", "c.pem", "--key", "k.pem"]);
    parseConfig(["--jwt-public-key", "k.pem", "--jwt-audience", "natter"]);
    parseConfig(["--jwt-secret", secret]);
    parseConfig(["--redis", "redis://r:6379", "--presence-expiry", "10"]);
    parseConfig(["--queue-size", "2", "--queue-bytes", "1026"].concat(
      ["--history-bytes", "513"],
    ));
  });
});
