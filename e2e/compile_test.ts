/**
 * The compiled binary (D4): `deno compile` as the `compile` task runs it, then
 * the binary started from another directory must serve the embedded page and
 * relay chat.
 *
 * `deno compile` needs `denort`, the runtime it wraps the program in, and
 * downloads it unless `DENORT_BIN` names one; without it this test is skipped.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import denoJson from "../deno.json" with { type: "json" };
import { readEnv } from "../main.ts";
import { ChatClient } from "../test_util/natter.ts";
import { NatterProcess } from "../test_util/process.ts";

const REPO = fileURLToPath(new URL("..", import.meta.url));

const denort = readEnv("DENORT_BIN");
if (!denort) {
  console.log(
    "compile_test: skipped: DENORT_BIN is not set; deno compile cannot download denort here",
  );
}

/** The `compile` task's arguments after `deno`, with `--output` set to `output`. */
function compileArgs(output: string): string[] {
  const words = denoJson.tasks.compile.split(/\s+/);
  assert.deepEqual(words.slice(0, 2), ["deno", "compile"]);
  const at = words.indexOf("--output");
  assert.ok(at > 0, denoJson.tasks.compile);
  words[at + 1] = output;
  return words.slice(1);
}

Deno.test({
  name:
    "deno compile builds a binary that serves the embedded page and relays chat (D4)",
  ignore: !denort,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "natter_compile_test_" });
    try {
      const binary = `${dir}/natter`;
      const compiled = await new Deno.Command(Deno.execPath(), {
        args: compileArgs(binary),
        cwd: REPO,
        stdin: "null",
      }).output();
      assert.equal(
        compiled.code,
        0,
        new TextDecoder().decode(compiled.stderr),
      );

      // Run it from a directory that holds nothing but the binary.
      await using natter = await NatterProcess.start(binary, [], { cwd: dir });
      const response = await fetch(natter.url);
      const page = await response.text();
      assert.equal(response.status, 200);
      assert.ok(page.includes("<title>natter"), page.slice(0, 200));

      const ws = NatterProcess.wsUrl(natter.url);
      await using a = await ChatClient.open(ws);
      await using b = await ChatClient.open(ws);
      // b's own message proves it is registered before a speaks.
      b.send("b is here");
      await b.waitForMessages(1);
      a.send("hello from a");
      const received = await b.waitForMessages(2);
      assert.ok(received.includes("hello from a"), String(received));

      natter.child.kill("SIGTERM");
      const status = await natter.exit();
      assert.equal(status.code, 0, natter.stderr.text);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
