import assert from "node:assert/strict";
import { ciValueSaysCI } from "./ci.ts";

Deno.test("ciValueSaysCI() counts any CI value but unset, empty, false and 0", () => {
  for (const value of ["true", "1", "yes", "TRUE", "github-actions"]) {
    assert.equal(ciValueSaysCI(value), true, `CI=${JSON.stringify(value)}`);
  }
  for (const value of [undefined, "", " ", "false", "FALSE", "0"]) {
    assert.equal(ciValueSaysCI(value), false, `CI=${JSON.stringify(value)}`);
  }
});
