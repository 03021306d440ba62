import assert from "node:assert/strict";
import { isRoomName, parseNick } from "./names.ts";

Deno.test("parseNick() refuses control and format characters (R5)", async (t) => {
  const refused = {
    "a bell": "bell\u0007",
    "a right-to-left override": "\u202eada",
    "a left-to-right isolate": "ada\u2066x",
    "a zero-width space": "a\u200bda",
    "a byte order mark inside": "ad\ufeffa",
    "a soft hyphen": "a\u00adda",
    "an invisible separator": "a\u2063da",
  };
  for (const [what, nick] of Object.entries(refused)) {
    await t.step(what, () => assert.equal(parseNick(nick), undefined));
  }
});

Deno.test("parseNick() keeps the joiners Persian and emoji sequences need (R5)", () => {
  const persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645";
  const family = "\u{1f468}\u200d\u{1f469}\u200d\u{1f467}";
  assert.equal(parseNick(persian), persian);
  assert.equal(parseNick(family), family);
});

Deno.test("parseNick() trims, then normalises to NFC before counting (R5)", () => {
  assert.equal(parseNick("  e\u0301 "), "\u00e9");
  // 32 decomposed characters are 64 code points, but 32 once composed.
  assert.equal(parseNick("e\u0301".repeat(32)), "\u00e9".repeat(32));
  assert.equal(parseNick("x".repeat(33)), undefined);
  assert.equal(parseNick(" \u3000 "), undefined);
});

Deno.test("isRoomName() takes 1 to 64 of A-Z a-z 0-9 . _ - (R1)", () => {
  assert.equal(isRoomName("Az09._-"), true);
  assert.equal(isRoomName(""), false);
  assert.equal(isRoomName("x".repeat(65)), false);
  assert.equal(isRoomName("caf\u00e9"), false);
});
