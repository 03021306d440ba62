import assert from "node:assert/strict";
import { isCI } from "./ci.ts";

Deno.test("isCI() counts any CI value but empty, false and 0", () => {
  for (const value of ["true", "1", "yes", "TRUE", "github-actions"]) {
    assert.equal(isCI(value), true, `CI=${JSON.stringify(value)}`);
  }
  for (const value of [undefined, "", " ", "false", "FALSE", "0"]) {
    assert.equal(isCI(value), false, `CI=${JSON.stringify(value)}`);
  }
});
