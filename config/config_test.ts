import assert from "node:assert/strict";
import {
  type Config,
  ConfigError,
  ENV_VARS,
  MIN_SECRET_BYTES,
  parseConfig,
} from "./config.ts";

/** An `env` lookup backed by a plain object. */
function envOf(vars: Record<string, string>): (name: string) => string {
  return (name) => vars[name];
}

Deno.test("parseConfig() uses the gorilla defaults with no flags and no env", () => {
  const config = parseConfig([]);
  assert.equal(config.hostname, "0.0.0.0"); // K6: ":8080"
  assert.equal(config.port, 8080); // K6
  assert.equal(config.queueSize, 256); // K1
  assert.equal(config.maxMessageSize, 512); // K2
  assert.equal(config.writeWait, 10_000); // K3, in milliseconds
  assert.equal(config.idleTimeout, 60); // K4
  assert.deepEqual(config.allowOrigins, []);
  assert.equal(config.workers, 1);
  assert.equal(config.requestTimeout, 10_000);
  // Unset: main.ts derives it from the file descriptors.
  assert.equal(config.maxConnections, undefined);
  assert.equal(config.help, false);
});

Deno.test("parseConfig() reads --help and -h", async (t) => {
  for (const flag of ["--help", "-h"]) {
    await t.step(flag, () => {
      assert.equal(parseConfig([flag]).help, true);
    });
  }
});

Deno.test("parseConfig() reads --addr in each form", async (t) => {
  await t.step(":9000 keeps the default hostname", () => {
    const config = parseConfig(["--addr", ":9000"]);
    assert.equal(config.hostname, "0.0.0.0");
    assert.equal(config.port, 9000);
  });
  await t.step("127.0.0.1:9000", () => {
    const config = parseConfig(["--addr", "127.0.0.1:9000"]);
    assert.equal(config.hostname, "127.0.0.1");
    assert.equal(config.port, 9000);
  });
  await t.step("[::1]:9000", () => {
    const config = parseConfig(["--addr", "[::1]:9000"]);
    assert.equal(config.hostname, "::1");
    assert.equal(config.port, 9000);
  });
  await t.step("localhost:0", () => {
    const config = parseConfig(["--addr=localhost:0"]);
    assert.equal(config.hostname, "localhost");
    assert.equal(config.port, 0);
  });
});

Deno.test("parseConfig() lets --port and --hostname override parts of --addr", async (t) => {
  await t.step("--port", () => {
    const config = parseConfig(["--addr", "127.0.0.1:9000", "--port", "9001"]);
    assert.equal(config.hostname, "127.0.0.1");
    assert.equal(config.port, 9001);
  });
  await t.step("--hostname", () => {
    const config = parseConfig([
      "--hostname",
      "::1",
      "--addr",
      "127.0.0.1:9000",
    ]);
    assert.equal(config.hostname, "::1");
    assert.equal(config.port, 9000);
  });
  await t.step("both", () => {
    const config = parseConfig([
      "--addr",
      "127.0.0.1:9000",
      "--hostname",
      "localhost",
      "--port",
      "0",
    ]);
    assert.equal(config.hostname, "localhost");
    assert.equal(config.port, 0);
  });
});

Deno.test("parseConfig() reads each numeric flag", async (t) => {
  await t.step("--max-message-size", () => {
    assert.equal(
      parseConfig(["--max-message-size", "1024"]).maxMessageSize,
      1024,
    );
  });
  await t.step("--queue-size", () => {
    assert.equal(parseConfig(["--queue-size", "16"]).queueSize, 16);
  });
  await t.step("--idle-timeout", () => {
    assert.equal(parseConfig(["--idle-timeout", "30"]).idleTimeout, 30);
  });
  await t.step("--write-wait is seconds, stored as milliseconds", () => {
    assert.equal(parseConfig(["--write-wait", "3"]).writeWait, 3000);
  });
  await t.step("--workers", () => {
    assert.equal(parseConfig(["--workers", "4"]).workers, 4);
  });
  await t.step("the last of a repeated flag wins", () => {
    assert.equal(parseConfig(["--port", "1", "--port", "2"]).port, 2);
  });
});

Deno.test("parseConfig() collects a repeated --allow-origin", async (t) => {
  await t.step("once", () => {
    const config = parseConfig(["--allow-origin", "https://a.example"]);
    assert.deepEqual(config.allowOrigins, ["https://a.example"]);
  });
  await t.step("repeated, in order", () => {
    const config = parseConfig([
      "--allow-origin",
      "https://a.example",
      "--allow-origin=https://b.example:8443",
      "--allow-origin",
      "*",
    ]);
    assert.deepEqual(config.allowOrigins, [
      "https://a.example",
      "https://b.example:8443",
      "*",
    ]);
  });
});

Deno.test("parseConfig() reads each environment variable", async (t) => {
  await t.step("NATTER_ADDR", () => {
    const config = parseConfig([], envOf({ NATTER_ADDR: "127.0.0.1:9000" }));
    assert.equal(config.hostname, "127.0.0.1");
    assert.equal(config.port, 9000);
  });
  // Each case: one variable, its value, and the setting it must produce.
  const single: [string, string, Partial<Config>][] = [
    ["NATTER_HOSTNAME", "::1", { hostname: "::1" }],
    ["NATTER_PORT", "9000", { port: 9000 }],
    ["NATTER_MAX_MESSAGE_SIZE", "100", { maxMessageSize: 100 }],
    ["NATTER_QUEUE_SIZE", "8", { queueSize: 8 }],
    ["NATTER_IDLE_TIMEOUT", "20", { idleTimeout: 20 }],
    ["NATTER_WRITE_WAIT", "2", { writeWait: 2000 }],
    ["NATTER_WORKERS", "2", { workers: 2 }],
    ["NATTER_REDIS", "redis://r:6379", { redis: "redis://r:6379" }],
    ["NATTER_REQUEST_TIMEOUT", "3", { requestTimeout: 3000 }],
    ["NATTER_MAX_CONNECTIONS", "500", { maxConnections: 500 }],
    // An empty variable counts as unset.
    ["NATTER_PORT", "", { port: 8080 }],
  ];
  for (const [name, value, expected] of single) {
    await t.step(`${name}=${JSON.stringify(value)}`, () => {
      const config = parseConfig([], envOf({ [name]: value }));
      for (const [key, want] of Object.entries(expected)) {
        assert.deepEqual(config[key as keyof Config], want, key);
      }
    });
  }
  await t.step("NATTER_PORT overrides the port of NATTER_ADDR", () => {
    const config = parseConfig(
      [],
      envOf({ NATTER_ADDR: "127.0.0.1:9000", NATTER_PORT: "9001" }),
    );
    assert.equal(config.hostname, "127.0.0.1");
    assert.equal(config.port, 9001);
  });
  await t.step("NATTER_ALLOW_ORIGIN is comma-separated", () => {
    const config = parseConfig(
      [],
      envOf({ NATTER_ALLOW_ORIGIN: "https://a.example, https://b.example," }),
    );
    assert.deepEqual(config.allowOrigins, [
      "https://a.example",
      "https://b.example",
    ]);
  });
  await t.step("asks only for the NATTER_ variables", () => {
    const asked: string[] = [];
    parseConfig([], (name) => {
      asked.push(name);
      return undefined;
    });
    assert.deepEqual(asked.toSorted(), [...ENV_VARS].toSorted());
  });
});

Deno.test("parseConfig() lets flags win over the environment", async (t) => {
  const env = envOf({
    NATTER_ADDR: "10.0.0.1:7000",
    NATTER_HOSTNAME: "10.0.0.2",
    NATTER_PORT: "7001",
    NATTER_ALLOW_ORIGIN: "https://env.example",
    NATTER_MAX_MESSAGE_SIZE: "100",
    NATTER_QUEUE_SIZE: "8",
    NATTER_IDLE_TIMEOUT: "20",
    NATTER_WRITE_WAIT: "2",
    NATTER_REQUEST_TIMEOUT: "3",
    NATTER_MAX_CONNECTIONS: "500",
  });
  await t.step("every setting", () => {
    const config = parseConfig([
      "--hostname",
      "127.0.0.1",
      "--port",
      "9000",
      "--allow-origin",
      "https://flag.example",
      "--max-message-size",
      "200",
      "--queue-size",
      "16",
      "--idle-timeout",
      "30",
      "--write-wait",
      "3",
      "--request-timeout",
      "4",
      "--max-connections",
      "600",
    ], env);
    assert.equal(config.hostname, "127.0.0.1");
    assert.equal(config.port, 9000);
    assert.deepEqual(config.allowOrigins, ["https://flag.example"]);
    assert.equal(config.maxMessageSize, 200);
    assert.equal(config.queueSize, 16);
    assert.equal(config.idleTimeout, 30);
    assert.equal(config.writeWait, 3000);
    assert.equal(config.requestTimeout, 4000);
    assert.equal(config.maxConnections, 600);
  });
  await t.step("--addr over NATTER_PORT and NATTER_HOSTNAME", () => {
    const config = parseConfig(["--addr", "127.0.0.1:9000"], env);
    assert.equal(config.hostname, "127.0.0.1");
    assert.equal(config.port, 9000);
  });
  await t.step("env fills in what the flags leave out", () => {
    const config = parseConfig(["--port", "9000"], env);
    assert.equal(config.hostname, "10.0.0.2");
    assert.equal(config.port, 9000);
    assert.equal(config.queueSize, 8);
  });
});

Deno.test("parseConfig() reads --redis and --presence-expiry", async (t) => {
  await t.step("defaults: in memory, 45 s", () => {
    const config = parseConfig([]);
    assert.equal(config.redis, "");
    assert.equal(config.presenceExpiry, 45_000);
  });
  await t.step("flags", () => {
    const config = parseConfig([
      "--redis",
      "rediss://user:secret@cache.example:6380/2",
      "--presence-expiry",
      "10",
    ]);
    assert.equal(config.redis, "rediss://user:secret@cache.example:6380/2");
    assert.equal(config.presenceExpiry, 10_000);
  });
  await t.step("NATTER_PRESENCE_EXPIRY with NATTER_REDIS", () => {
    const config = parseConfig(
      [],
      envOf({ NATTER_REDIS: "redis://r:6379", NATTER_PRESENCE_EXPIRY: "3" }),
    );
    assert.equal(config.presenceExpiry, 3000);
  });
  await t.step("a URL that is not Redis's", () => {
    assert.throws(
      () => parseConfig(["--redis", "http://127.0.0.1:6379"]),
      new ConfigError(
        'Cannot use "--redis": "http://127.0.0.1:6379" is not a redis:// or rediss:// URL with a host',
      ),
    );
    assert.throws(
      () => parseConfig(["--redis", "6379"]),
      /Cannot parse "--redis": "6379" is not a URL/,
    );
  });
});

Deno.test("parseConfig() reads the budget flags, with their defaults", async (t) => {
  await t.step("defaults", () => {
    const config = parseConfig([]);
    assert.equal(config.joinRate, 10);
    assert.equal(config.historyRate, 10);
    assert.equal(config.createRate, 1);
    assert.equal(config.memberPage, 100);
    assert.equal(config.queueBytes, 1_048_576);
  });
  await t.step("flags, 0 turning a rate off", () => {
    const config = parseConfig([
      "--join-rate=0",
      "--history-rate=3",
      "--create-rate=0",
      "--member-page=1000",
      "--queue-bytes=300000",
    ]);
    assert.equal(config.joinRate, 0);
    assert.equal(config.historyRate, 3);
    assert.equal(config.createRate, 0);
    assert.equal(config.memberPage, 1000);
    assert.equal(config.queueBytes, 300_000);
  });
  await t.step("variables", () => {
    const config = parseConfig(
      [],
      envOf({
        NATTER_JOIN_RATE: "2",
        NATTER_HISTORY_RATE: "4",
        NATTER_CREATE_RATE: "5",
        NATTER_MEMBER_PAGE: "1",
        NATTER_QUEUE_BYTES: "262144",
      }),
    );
    assert.deepEqual(
      [
        config.joinRate,
        config.historyRate,
        config.createRate,
        config.memberPage,
        config.queueBytes,
      ],
      [2, 4, 5, 1, 262_144],
    );
  });
});

Deno.test("parseConfig() leaves rateBurst unset unless --rate-burst is given", async (t) => {
  await t.step("--rate-limit alone: the burst is the rate's (unset)", () => {
    const config = parseConfig(["--rate-limit", "5"]);
    assert.equal(config.rateLimit, 5);
    assert.equal(config.rateBurst, undefined);
  });
  await t.step("with --rate-burst", () => {
    const config = parseConfig(["--rate-limit", "5", "--rate-burst", "1"]);
    assert.equal(config.rateBurst, 1);
  });
});

Deno.test("parseConfig() reads --jwt-issuer and --jwt-audience with a key", () => {
  const secret = "s".repeat(MIN_SECRET_BYTES);
  const config = parseConfig(
    ["--jwt-secret", secret, "--jwt-issuer", "https://auth.example"],
    envOf({ NATTER_JWT_AUDIENCE: "natter" }),
  );
  assert.equal(config.jwtIssuer, "https://auth.example");
  assert.equal(config.jwtAudience, "natter");
});

Deno.test("parseConfig() lets a natter.v1 command hold a message of the largest size", () => {
  assert.equal(parseConfig([]).maxCommandSize, 4096);
  const big = parseConfig([
    "--max-message-size",
    "65536",
    "--queue-bytes",
    String(256 * 65537),
  ]);
  // Every byte JSON-escaped (\u0001 is six) plus the command around it.
  assert.ok(big.maxCommandSize >= 6 * 65536 + 100, `${big.maxCommandSize}`);
});

Deno.test("parseConfig() reads --latency-budget in ms, 0 to 1000, and refuses the rest in one line", async (t) => {
  await t.step("default, flag and variable", () => {
    assert.equal(parseConfig([]).latencyBudget, 40);
    assert.equal(parseConfig(["--latency-budget", "25"]).latencyBudget, 25);
    assert.equal(parseConfig(["--latency-budget", "0"]).latencyBudget, 0);
    const env = envOf({ NATTER_LATENCY_BUDGET: "15" });
    assert.equal(parseConfig([], env).latencyBudget, 15);
    assert.equal(
      parseConfig(["--latency-budget", "30"], env).latencyBudget,
      30,
    );
  });
  await t.step("out of range or not a whole number", () => {
    for (const value of ["-1", "1001", "2.5", "soon", "1e9"]) {
      assert.throws(
        () => parseConfig([`--latency-budget=${value}`]),
        (error: Error) =>
          error instanceof ConfigError &&
          error.message.includes('"--latency-budget"') &&
          !error.message.includes("\n"),
        value,
      );
    }
  });
});

Deno.test("parseConfig() reads --accept-rate per second, 0 by default, and refuses the rest in one line", async (t) => {
  await t.step("default, flag and variable", () => {
    assert.equal(parseConfig([]).acceptRate, 0);
    assert.equal(parseConfig(["--accept-rate", "50"]).acceptRate, 50);
    const env = envOf({ NATTER_ACCEPT_RATE: "20" });
    assert.equal(parseConfig([], env).acceptRate, 20);
    assert.equal(parseConfig(["--accept-rate", "50"], env).acceptRate, 50);
  });
  await t.step("negative, too big or not a whole number", () => {
    for (const value of ["-1", "abc", "2.5", String(2 ** 20 + 1)]) {
      assert.throws(
        () => parseConfig([`--accept-rate=${value}`]),
        (error: Error) =>
          error instanceof ConfigError &&
          error.message.includes('"--accept-rate"') &&
          !error.message.includes("\n"),
        value,
      );
    }
  });
});
