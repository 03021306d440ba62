import assert from "node:assert/strict";
import { exceedsUtf8, normalize } from "./message.ts";

Deno.test("I1: normalize() turns each LF into a space, then trims Unicode space", async (t) => {
  const cases: [string, string][] = [
    ["  a\nb \n", "a b"],
    ["x\r\ny\tz", "x\r y\tz"],
    ["\u00a0uni\u3000", "uni"],
    ["\u0085nel\u0085", "nel"],
    ["a\n\nb", "a  b"],
    ["\t\v\f\r tabs \r\n", "tabs"],
    ["\u2028\u2029\u202f\u205f\u1680\u2000x\u200a", "x"],
    ["plain", "plain"],
  ];
  for (const [input, expected] of cases) {
    await t.step(JSON.stringify(input), () => {
      assert.equal(normalize(input), expected);
    });
  }
  await t.step("U+FEFF is not white space (Go's rule, not trim()'s)", () => {
    assert.equal(normalize("\ufeffx\ufeff"), "\ufeffx\ufeff");
  });
});

Deno.test("I2: normalize() leaves an all-space message empty", () => {
  assert.equal(normalize(" \n\t\u3000 "), "");
  assert.equal(normalize(""), "");
});

Deno.test("K2: exceedsUtf8() counts UTF-8 bytes exactly at the limit", async (t) => {
  const encoded = (s: string) => new TextEncoder().encode(s).byteLength;
  const cases = [
    "a".repeat(512),
    "a".repeat(513),
    "é".repeat(256),
    "é".repeat(256) + "a",
    "€".repeat(170) + "aa",
    "€".repeat(171),
    "😀".repeat(128),
    "😀".repeat(128) + "a",
    "\ud800".repeat(170) + "aa",
    "a".repeat(200),
  ];
  for (const text of cases) {
    await t.step(`${encoded(text)} bytes`, () => {
      assert.equal(exceedsUtf8(text, 512), encoded(text) > 512);
    });
  }
});
