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

Deno.test("withDefaults() returns what it resolved as it is, without copying it again", () => {
  const once = withDefaults({ queueSize: 64 });
  assert.equal(withDefaults(once), once);
  assert.equal(withDefaults(once).queueSize, 64);
  // A copy of it is a new set of options, resolved anew.
  const copy = { ...once, queueSize: 8 };
  assert.notEqual(withDefaults(copy), copy);
  assert.equal(withDefaults(copy).queueSize, 8);
});
