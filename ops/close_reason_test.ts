import assert from "node:assert/strict";
import { fitCloseReason, MAX_CLOSE_REASON_BYTES } from "./close_reason.ts";

const utf8 = (text: string) => new TextEncoder().encode(text).length;

Deno.test("fitCloseReason() keeps a short reason whole", () => {
  assert.equal(fitCloseReason("spam"), "spam");
  assert.equal(fitCloseReason(""), "");
  const exact = "x".repeat(MAX_CLOSE_REASON_BYTES);
  assert.equal(fitCloseReason(exact), exact);
});

Deno.test("fitCloseReason() cuts by UTF-8 bytes at a code point boundary", async (t) => {
  const cases: [string, string, number][] = [
    ["two-byte é", "é".repeat(100), 61],
    ["three-byte €", "€".repeat(100), 41],
    ["four-byte 😀", "😀".repeat(100), 30],
    ["ASCII then é", "x" + "é".repeat(100), 62],
  ];
  for (const [name, reason, chars] of cases) {
    await t.step(name, () => {
      const cut = fitCloseReason(reason);
      assert.ok(utf8(cut) <= MAX_CLOSE_REASON_BYTES, `${utf8(cut)} bytes`);
      assert.equal([...cut].length, chars);
      assert.ok(reason.startsWith(cut));
      assert.ok(!cut.endsWith("\ud83d"), "a lone high surrogate");
    });
  }
  await t.step("a lone surrogate counts as the 3 bytes it is sent as", () => {
    const cut = fitCloseReason("\ud800".repeat(50));
    assert.equal(cut.length, 41);
    assert.ok(utf8(cut) <= MAX_CLOSE_REASON_BYTES);
  });
});
