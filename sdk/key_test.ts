import assert from "node:assert/strict";
import { KEY_LENGTH, randomKey } from "./key.ts";

Deno.test("randomKey() is 16 to 64 letters and digits, as C7 wants", () => {
  assert.ok(KEY_LENGTH >= 16 && KEY_LENGTH <= 64);
  for (let i = 0; i < 100; i++) {
    assert.match(randomKey(), new RegExp(`^[A-Za-z0-9]{${KEY_LENGTH}}$`));
  }
});

Deno.test("randomKey() does not repeat, and uses every symbol", () => {
  const keys = Array.from({ length: 2000 }, randomKey);
  assert.equal(new Set(keys).size, keys.length);
  const symbols = new Set(keys.join(""));
  assert.equal(symbols.size, 62);
});
