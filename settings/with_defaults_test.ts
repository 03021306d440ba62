import assert from "node:assert/strict";
import { withDefaults } from "./with_defaults.ts";
import { DEFAULTS } from "./settings.ts";

Deno.test("withDefaults() fills what is unset from the table, and only that", () => {
  const options = withDefaults({
    queueSize: 64,
    maxMessageSize: undefined,
    log: "kept",
  });
  assert.equal(options.queueSize, 64);
  assert.equal(options.maxMessageSize, DEFAULTS.maxMessageSize);
  assert.equal(options.writeWait, DEFAULTS.writeWait);
  assert.equal(options.log, "kept");
});

Deno.test("withDefaults() keeps a setting set to 0", () => {
  assert.equal(withDefaults({ joinRate: 0 }).joinRate, 0);
});
