/**
 * Test helpers for natter run as a real process: its output as lines that a
 * test can wait for, and its lifecycle.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ENV_VARS } from "../config/config.ts";
import denoJson from "../deno.json" with { type: "json" };
import { deadline } from "./natter.ts";

/** The path of `main.ts`. */
export const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

/** The flags of `deno task start` between `deno run` and `main.ts`. */
export function startFlags(): string[] {
  const words = denoJson.tasks.start.split(/\s+/);
  assert.deepEqual(words.slice(0, 2), ["deno", "run"]);
  assert.equal(words.at(-1), "main.ts");
  return words.slice(2, -1);
}

/** How long the process may take to exit after a signal. */
export const EXIT_DEADLINE_MS = 10_000;

/** The lines of a text stream, as they arrive. */
export class Lines {
  readonly lines: string[] = [];
  /** Settles when the stream has ended. */
  readonly done: Promise<void>;
  #ended = false;
  #waiters = new Set<() => void>();

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = this.#read(stream);
  }

  /** Waits for the first line that matches `pattern`. */
  find(pattern: RegExp, what: string): Promise<string> {
    return deadline(
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const line = this.lines.find((l) => pattern.test(l));
          if (line !== undefined) resolve(line);
          else if (this.#ended) {
            reject(new Error(`Stream ended without ${what}: ${this.text}`));
          } else return;
          this.#waiters.delete(check);
        };
        this.#waiters.add(check);
        check();
      }),
      what,
    );
  }

  /** Everything read so far. */
  get text(): string {
    return JSON.stringify(this.lines.join("\n"));
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

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/**
 * natter running as a subprocess (`deno run main.ts` or the compiled binary),
 * with its output read line by line.
 */
export class NatterProcess implements AsyncDisposable {
  readonly child: Deno.ChildProcess;
  readonly stdout: Lines;
  readonly stderr: Lines;
  readonly cwd: string;
  readonly #ownsCwd: boolean;
  #exited = false;

  private constructor(
    child: Deno.ChildProcess,
    cwd: string,
    ownsCwd: boolean,
  ) {
    this.child = child;
    this.cwd = cwd;
    this.#ownsCwd = ownsCwd;
    this.stdout = new Lines(child.stdout);
    this.stderr = new Lines(child.stderr);
    child.status.then(() => this.#exited = true);
  }

  /**
   * Runs `command` with `args` in `cwd`, or in a new temporary directory that
   * is removed on dispose. No NATTER_ variable is set unless in `env`.
   */
  static async spawn(
    command: string,
    args: string[],
    options: { cwd?: string; env?: Record<string, string> } = {},
  ): Promise<NatterProcess> {
    const cwd = options.cwd ??
      await Deno.makeTempDir({ prefix: "natter_process_" });
    const unset = Object.fromEntries(ENV_VARS.map((name) => [name, ""]));
    const child = new Deno.Command(command, {
      args,
      cwd,
      env: { ...unset, NO_COLOR: "1", ...options.env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return new NatterProcess(child, cwd, options.cwd === undefined);
  }

  /**
   * Runs `command` with `args` plus a loopback address on a free port, and
   * waits until it prints the URL it listens on.
   */
  static async start(
    command: string,
    args: string[],
    options: { cwd?: string } = {},
  ): Promise<NatterProcess & { url: URL }> {
    const natter = await NatterProcess.spawn(command, [
      ...args,
      "--port",
      "0",
      "--hostname",
      "127.0.0.1",
    ], options);
    try {
      const line = await natter.stdout.find(/listening on/, "the URL line")
        .catch((error) => {
          throw new Error(`${error.message}; stderr: ${natter.stderr.text}`);
        });
      const match = /^natter: listening on (https?:\/\/127\.0\.0\.1:\d+\/) /
        .exec(line);
      assert.ok(match, `unexpected start-up line: ${JSON.stringify(line)}`);
      return Object.assign(natter, { url: new URL(match[1]) });
    } catch (error) {
      await natter[Symbol.asyncDispose]();
      throw error;
    }
  }

  /**
   * Runs `deno run` with `args` in a shell whose descriptor limit is `limit`
   * (`ulimit -n`, soft and hard), and waits until it listens as
   * {@linkcode NatterProcess.start} does.
   */
  static underLimit(
    limit: number,
    args: string[],
  ): Promise<NatterProcess & { url: URL }> {
    return NatterProcess.start("bash", [
      "-c",
      `ulimit -n ${limit} && exec "$@"`,
      "bash",
      Deno.execPath(),
      "run",
      ...args,
    ]);
  }

  /** The `ws://` URL of the chat endpoint of a natter at `url`. */
  static wsUrl(url: URL): string {
    return `ws://${url.host}/ws`;
  }

  /** Waits for the process to exit, failing after `ms`. */
  exit(ms = EXIT_DEADLINE_MS): Promise<Deno.CommandStatus> {
    return deadline(this.child.status, "natter to exit", ms);
  }

  /** Waits for the process to exit, failing after `ms`, and for all of its output. */
  async output(ms = EXIT_DEADLINE_MS): Promise<
    { code: number; stdout: string[]; stderr: string[] }
  > {
    const { code } = await this.exit(ms);
    await Promise.all([this.stdout.done, this.stderr.done]);
    return { code, stdout: this.stdout.lines, stderr: this.stderr.lines };
  }

  /** Kills the process if it still runs, then reaps it and its output. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#exited) {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // It exited meanwhile.
      }
    }
    await this.child.status;
    await Promise.all([this.stdout.done, this.stderr.done]);
    if (this.#ownsCwd) await Deno.remove(this.cwd, { recursive: true });
  }
}
