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
import denoJson from "./deno.json" with { type: "json" };
import { ChatClient, deadline } from "./test_util/natter.ts";

const REPO = fileURLToPath(new URL(".", import.meta.url));

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

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

/** Collects a process's output lines and waits for one that matches. */
class Lines {
  readonly lines: string[] = [];
  readonly done: Promise<void>;
  #ended = false;
  #notify = () => {};

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = this.#read(stream);
  }

  async find(pattern: RegExp, what: string): Promise<string> {
    return await deadline(
      (async () => {
        for (;;) {
          const line = this.lines.find((l) => pattern.test(l));
          if (line !== undefined) return line;
          if (this.#ended) {
            throw new Error(`Output ended without ${what}: ${this.lines}`);
          }
          await new Promise<void>((resolve) => this.#notify = resolve);
        }
      })(),
      what,
    );
  }

  async #read(stream: ReadableStream<Uint8Array>): Promise<void> {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      this.lines.push(...parts);
      this.#notify();
    }
    if (rest !== "") this.lines.push(rest);
    this.#ended = true;
    this.#notify();
  }
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
      const child = new Deno.Command(binary, {
        args: ["--port", "0", "--hostname", "127.0.0.1"],
        cwd: dir,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const stdout = new Lines(child.stdout);
      const stderr = new Lines(child.stderr);
      try {
        const line = await stdout.find(/listening on/, "the URL line")
          .catch(async (error) => {
            await deadline(stderr.done, "stderr", 1000).catch(() => {});
            throw new Error(`${error.message}; stderr: ${stderr.lines}`);
          });
        const match = /listening on http:\/\/(127\.0\.0\.1:\d+)\//.exec(line);
        assert.ok(match, line);
        const host = match[1];

        const response = await fetch(`http://${host}/`);
        const page = await response.text();
        assert.equal(response.status, 200);
        assert.ok(page.includes("<title>natter"), page.slice(0, 200));

        await using a = await ChatClient.open(`ws://${host}/ws`);
        await using b = await ChatClient.open(`ws://${host}/ws`);
        // b's own message proves it is registered before a speaks.
        b.send("b is here");
        await b.waitForMessages(1);
        a.send("hello from a");
        const received = await b.waitForMessages(2);
        assert.ok(received.includes("hello from a"), String(received));

        child.kill("SIGTERM");
        const status = await deadline(child.status, "the binary to exit");
        assert.equal(status.code, 0, stderr.lines.join("\n"));
      } finally {
        try {
          child.kill("SIGKILL");
        } catch {
          // Already exited.
        }
        await child.status;
        await Promise.all([stdout.done, stderr.done]);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
