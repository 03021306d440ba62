import assert from "node:assert/strict";
import { TokenBucket } from "./bucket.ts";

Deno.test("TokenBucket allows a burst, then its rate", () => {
  let now = 0;
  const bucket = new TokenBucket(2, 3, () => now);
  assert.deepEqual([1, 2, 3, 4].map(() => bucket.take()), [
    true,
    true,
    true,
    false,
  ]);
  now = 499;
  assert.equal(bucket.take(), false, "not yet a whole token after 0.499 s");
  now = 500;
  assert.equal(bucket.take(), true);
  assert.equal(bucket.take(), false);
  now = 60_000;
  assert.equal(
    [1, 2, 3, 4].filter(() => bucket.take()).length,
    3,
    "capped at the burst",
  );
});

Deno.test("TokenBucket refuses a rate or burst it cannot honour", () => {
  for (const [rate, burst] of [[0, 1], [1, 0], [NaN, 1], [-1, 5]]) {
    assert.throws(() => new TokenBucket(rate, burst), RangeError);
  }
});

Deno.test("TokenBucket.untilNext() says how long until take() succeeds, taking nothing", () => {
  let now = 0;
  const bucket = new TokenBucket(4, 2, () => now);
  assert.equal(bucket.untilNext(), 0, "full");
  assert.equal(bucket.untilNext(), 0, "looking took nothing");
  bucket.take();
  bucket.take();
  assert.equal(bucket.untilNext(), 250);
  now = 100;
  assert.equal(bucket.untilNext(), 150);
  assert.equal(bucket.take(), false);
  now = 250;
  assert.equal(bucket.untilNext(), 0);
  assert.equal(bucket.take(), true);
  assert.equal(bucket.take(), false, "one token, not two");
});
