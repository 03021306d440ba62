import assert from "node:assert/strict";
import { draft } from "./draft.ts";
import { TokenBucket } from "../util/bucket.ts";

Deno.test("draft() normalises a message within its limits (I1)", () => {
  assert.deepEqual(draft("  a\nb \n", { maxBytes: 512 }), { text: "a b" });
});

Deno.test("draft() refuses a message over the limit in UTF-8 bytes (K2)", () => {
  assert.deepEqual(draft("é".repeat(3), { maxBytes: 5 }), {
    refused: "too_big",
  });
  assert.deepEqual(draft("é".repeat(2), { maxBytes: 4 }), { text: "éé" });
});

Deno.test("draft() spends the sender's rate, but not on a message too big", () => {
  const rate = new TokenBucket(1, 1);
  assert.deepEqual(draft("x".repeat(10), { maxBytes: 4, rate }), {
    refused: "too_big",
  });
  assert.deepEqual(draft("a", { maxBytes: 4, rate }), { text: "a" });
  assert.deepEqual(draft("b", { maxBytes: 4, rate }), {
    refused: "rate_limited",
  });
});
