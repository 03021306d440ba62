/**
 * The package is ready to publish: every symbol its exports offer has
 * documentation and names no type the package keeps to itself
 * (`deno doc --lint` over deno.json's exports).
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../", import.meta.url);

Deno.test("deno doc --lint passes over every export of deno.json", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  );
  const entries = Object.values(config.exports as Record<string, string>);
  assert.deepEqual(entries.sort(), ["./main.ts", "./mod.ts", "./sdk/mod.ts"]);
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...entries],
    cwd: fileURLToPath(ROOT),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const said = new TextDecoder().decode(output.stderr);
  const errors = said.split("\n").filter((line) => line.startsWith("error"));
  assert.deepEqual(errors, [], said);
  assert.ok(output.success, said);
});
