import assert from "node:assert/strict";
import { TokenError } from "../auth/token.ts";
import { chat } from "../test_util/flood.ts";
import {
  ChatClient,
  deadline,
  startServer,
  type TestServer,
} from "../test_util/natter.ts";
import { rawHandshake } from "../test_util/raw_ws.ts";
import { acceptRate } from "./accept_rate.ts";
import { IpCounts } from "./listen/ip_slots.ts";

/** The whole seconds a refusal's `Retry-After` asks for; fails without one. */
function retryAfter(refusal: Response | { headers: Headers }): number {
  const value = refusal.headers.get("retry-after");
  assert.ok(value !== null, "no Retry-After");
  assert.match(value, /^\d+$/, `Retry-After "${value}"`);
  return Number(value);
}

Deno.test("acceptRate() lets a second's worth through at once, then its rate", () => {
  let now = 0;
  const overRate = acceptRate(5, { now: () => now });
  for (let i = 0; i < 5; i++) assert.equal(overRate(), undefined, `${i}`);
  const refusal = overRate();
  assert.ok(refusal, "the 6th let through");
  assert.equal(refusal.status, 503);
  assert.equal(retryAfter(refusal), 1);
  now = 100;
  assert.ok(overRate(), "let through before a fifth of a second");
  now = 200;
  assert.equal(overRate(), undefined, "refused after a fifth of a second");
  assert.ok(overRate(), "two let through after a fifth of a second");
  now = 60_000;
  const burst = Array.from({ length: 10 }, () => overRate());
  assert.equal(burst.filter((r) => r === undefined).length, 5, "the burst");
});

Deno.test("acceptRate() asks to retry after the whole seconds until one more fits", () => {
  let now = 0;
  // One every 4 s: just after one went through, the next fits in 3.999 s.
  const overRate = acceptRate(0.25, { now: () => now });
  assert.equal(overRate(), undefined);
  now = 1;
  assert.equal(retryAfter(overRate()!), 4);
  now = 3_500;
  assert.equal(retryAfter(overRate()!), 1, "never less than 1");
});

Deno.test("acceptRate() of 0 lets everything through", () => {
  const overRate = acceptRate(0);
  for (let i = 0; i < 10_000; i++) assert.equal(overRate(), undefined);
});

Deno.test("acceptRate() refuses a rate that is negative or not a number", () => {
  for (const rate of [-1, NaN]) {
    assert.throws(() => acceptRate(rate), RangeError, `${rate}`);
  }
});

Deno.test("acceptRate() logs that it refuses at most once a minute, however many it refuses", () => {
  let now = 0;
  const lines: string[] = [];
  const overRate = acceptRate(1, {
    now: () => now,
    log: (line) => lines.push(line),
  });
  for (let i = 0; i < 1_000; i++) overRate();
  assert.equal(lines.length, 1);
  assert.match(lines[0], /--accept-rate/);
  now = 30_000;
  overRate();
  overRate();
  assert.equal(lines.length, 1, "again within the minute");
  now = 60_000;
  overRate();
  overRate();
  assert.equal(lines.length, 2, "again a minute later");
});

/** Attempts `count` WebSockets to `url` at once; resolves with those opened. */
async function openAtOnce(url: string, count: number): Promise<ChatClient[]> {
  const settled = await deadline(
    Promise.all(
      Array.from(
        { length: count },
        () => ChatClient.open(url).catch(() => null),
      ),
    ),
    `${count} attempts to settle`,
  );
  return settled.filter((c) => c !== null);
}

/** Raw handshakes one after another until one is refused; that refusal. */
async function drain(server: TestServer): Promise<{ headers: Headers }> {
  for (let i = 0; i < 1_000; i++) {
    const { status, headers, conn } = await rawHandshake(server.addr);
    conn?.abort();
    if (status !== 101) {
      assert.equal(status, 503);
      return { headers };
    }
  }
  assert.fail("1000 handshakes in a row let through");
}

Deno.test("serve() with acceptRate lets about a second's worth of 100 clients in at once, 503 with Retry-After to the rest", async () => {
  await using server = startServer({ acceptRate: 20 });
  const started = performance.now();
  const opened = await openAtOnce(server.wsUrl, 100);
  const seconds = (performance.now() - started) / 1000;
  try {
    // A second's worth at once, and the rate for the time it all took.
    const most = 20 + Math.ceil(20 * seconds);
    assert.ok(
      opened.length >= 20 && opened.length <= most,
      `${opened.length} of 100 opened in ${seconds} s, at most ${most}`,
    );
    const refusal = await drain(server);
    const wait = retryAfter(refusal);
    assert.ok(wait >= 1, `Retry-After ${wait}`);
    // A client that waits as asked gets in, and the others still chat.
    await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 500));
    await using late = await ChatClient.open(server.wsUrl);
    await chat([...opened.slice(0, 5), late], "after");
  } finally {
    await Promise.all(opened.map((c) => c[Symbol.asyncDispose]()));
  }
});

/**
 * Makes `count` raw handshakes, `width` at a time, each with `headers`;
 * resolves with their statuses and `Retry-After` values.
 */
async function flood(
  server: TestServer,
  count: number,
  width: number,
  headers: Record<string, string>,
): Promise<{ status: number; retryAfter: string | null }[]> {
  const results: { status: number; retryAfter: string | null }[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      const { status, headers: answer, conn } = await rawHandshake(
        server.addr,
        { headers },
      );
      conn?.abort();
      results.push({ status, retryAfter: answer.get("retry-after") });
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

Deno.test("serve() with acceptRate refuses a flood of 2000 forged handshakes before verifying them, leaks no place and keeps serving", async () => {
  let verified = 0;
  const slots = new IpCounts(Infinity);
  await using server = startServer({
    acceptRate: 10,
    // Room for the rate's burst beside the two clients, so that the rate,
    // not the cap, is what refuses the flood.
    maxConnections: 12,
    ipSlots: slots,
    verifier: (token) => {
      verified++;
      return token === "good"
        ? Promise.resolve({ user: "u" })
        : Promise.reject(new TokenError(`Token "${token}" is not valid`));
    },
  });
  const good = { authorization: "Bearer good" };
  await using a = await ChatClient.open(server.wsUrl, { headers: good });
  await using b = await ChatClient.open(server.wsUrl, { headers: good });
  const started = performance.now();
  const [results] = await deadline(
    Promise.all([
      flood(server, 2_000, 100, { authorization: "Bearer forged" }),
      // Those already in keep chatting through it.
      chat([a, b], "during"),
    ]),
    "the flood to end",
    60_000,
  );
  const seconds = (performance.now() - started) / 1000;
  const health = await fetch(`${server.origin}/healthz`);
  await health.body?.cancel();
  assert.equal(health.status, 200);
  await chat([a, b], "after");
  // The rate let a few through to the verifier, which refused them; the
  // rest were refused before it, and told when to come back.
  const verifiedInFlood = results.filter((r) => r.status === 401).length;
  const refused = results.filter((r) => r.status === 503);
  assert.equal(verifiedInFlood + refused.length, 2_000);
  assert.ok(
    verifiedInFlood <= 10 + Math.ceil(10 * seconds),
    `${verifiedInFlood} verified in ${seconds} s`,
  );
  assert.equal(verified, 2 + verifiedInFlood, "verified a refused one");
  const byRate = refused.filter((r) => r.retryAfter !== null);
  assert.ok(byRate.length >= 1_900, `${byRate.length} refused by the rate`);
  assert.ok(byRate.every((r) => Number(r.retryAfter) >= 1));
  // No place was leaked: the address holds its two, and once the rate has
  // refilled, the cap has room for exactly ten more.
  assert.deepEqual(slots.entries(), [["127.0.0.1", 2]]);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const more = await deadline(
    Promise.all(
      Array.from(
        { length: 10 },
        () => ChatClient.open(server.wsUrl, { headers: good }),
      ),
    ),
    "ten more clients",
  );
  try {
    assert.deepEqual(slots.entries(), [["127.0.0.1", 12]]);
    const over = await rawHandshake(server.addr, { headers: good });
    over.conn?.abort();
    assert.equal(over.status, 503);
    assert.equal(over.headers.get("retry-after"), null, "not the cap's 503");
    await chat([a, b, ...more], "later");
  } finally {
    await Promise.all(more.map((c) => c[Symbol.asyncDispose]()));
  }
});
