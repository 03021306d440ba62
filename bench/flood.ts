/**
 * The flood: several generators, each a process of its own, open their
 * connections all at once, more than the server's descriptors allow. Then
 * the admitted clients chat, the generators go away, and the scenario
 * measures how long until the server serves a new client and the page
 * again.
 *
 * @module
 */

import { now } from "./open.ts";
import { ProcessWatch, rssKiB } from "./proc.ts";

/** Settings of a flood. */
export interface FloodOptions {
  url: string;
  /** Generator processes. */
  generators: number;
  /** Connections each generator opens. */
  clients: number;
  /** Concurrent attempts in each generator. */
  par: number;
  /** Messages each of the check's senders sends. */
  check: number;
  /** The server's PID, for its memory. */
  pid?: number;
}

/** A generator process and its answers, line by line. */
class Generator {
  readonly #child: Deno.ChildProcess;
  readonly #lines: ReadableStreamDefaultReader<string>;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;

  constructor(options: FloodOptions) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        new URL("./flood_generator.ts", import.meta.url).pathname,
        options.url,
        String(options.clients),
        String(options.par),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#stdin = this.#child.stdin.getWriter();
    let rest = "";
    this.#lines = this.#child.stdout.pipeThrough(new TextDecoderStream())
      .pipeThrough(
        new TransformStream<string, string>({
          transform(chunk, controller) {
            const parts = (rest + chunk).split("\n");
            rest = parts.pop()!;
            for (const part of parts) controller.enqueue(part);
          },
        }),
      ).getReader();
  }

  /** The next answer. */
  async next(): Promise<Record<string, unknown>> {
    const { value, done } = await this.#lines.read();
    if (done) throw new Error("A flood generator ended early");
    return JSON.parse(value);
  }

  /** Sends one command and returns its answer. */
  async ask(command: string): Promise<Record<string, unknown>> {
    await this.#stdin.write(new TextEncoder().encode(command + "\n"));
    return this.next();
  }

  async end(): Promise<void> {
    await this.#stdin.close().catch(() => {});
    await this.#child.status;
  }
}

/** Adds up a numeric field of every answer. */
function sum(answers: Record<string, unknown>[], key: string): number {
  return answers.reduce((n, a) => n + (a[key] as number), 0);
}

/** Tries once to open a WebSocket that hears its own message, within `ms`. */
function chatOnce(url: string, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    const done = (outcome: string) => {
      clearTimeout(timer);
      socket.onclose = socket.onerror = socket.onmessage = null;
      socket.close();
      resolve(outcome);
    };
    const timer = setTimeout(() => done("timeout"), ms);
    socket.onopen = () => socket.send("fresh client");
    socket.onmessage = ({ data }) =>
      String(data).split("\n").includes("fresh client") && done("ok");
    socket.onerror = (event) => done((event as ErrorEvent).message ?? "error");
  });
}

/** Whether the page is served now. */
async function pageServed(url: string): Promise<boolean> {
  try {
    const response = await fetch(
      url.replace(/^ws/, "http").replace(/ws$/, ""),
      {
        signal: AbortSignal.timeout(2000),
      },
    );
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Runs the flood and reports it. */
export async function flood(options: FloodOptions) {
  const { pid } = options;
  const watch = pid ? new ProcessWatch(pid) : undefined;
  const generators = Array.from(
    { length: options.generators },
    () => new Generator(options),
  );
  const started = now();
  const connected = await Promise.all(generators.map((g) => g.next()));
  const floodSeconds = Math.round(now() - started) / 1000;
  const failed: Record<string, number> = {};
  for (const answer of connected) {
    for (const [k, v] of Object.entries(answer.failed as object)) {
      failed[k] = (failed[k] ?? 0) + v;
    }
  }
  const rssConnected = pid ? rssKiB(pid) : null;
  // While everyone is in: can a new client get in, or at least a refusal?
  const duringFlood = await chatOnce(options.url, 5000);
  // One sender in each generator that got clients in: every admitted client
  // must hear them all.
  const speaking = connected.map((a) => (a.connected as number) > 0 ? 1 : 0);
  const all = speaking.reduce((n: number, s) => n + s, 0);
  const checked = await Promise.all(
    generators.map((g, i) =>
      g.ask(`check ${options.check} ${speaking[i]} ${all}`)
    ),
  );
  await Promise.all(generators.map((g) => g.ask("close")));
  await Promise.all(generators.map((g) => g.end()));
  const closedAt = now();
  let outcome = "";
  while (now() - closedAt < 60_000) {
    outcome = await chatOnce(options.url, 2000);
    if (outcome === "ok" && await pageServed(options.url)) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const serveAgain = Math.round(now() - closedAt);
  const stats = watch?.stop();
  const admitted = sum(connected, "connected");
  return {
    attempted: options.generators * options.clients,
    generators: options.generators,
    seconds_to_settle: floodSeconds,
    admitted,
    refused: failed,
    kept: sum(checked, "open"),
    during_flood_new_client: duringFlood,
    messages: {
      sent: options.check * all,
      receivers: sum(checked, "open"),
      complete: sum(checked, "complete"),
      lost: sum(checked, "missing"),
    },
    disconnects: sum(checked, "disconnects"),
    serve_again_ms: outcome === "ok" ? serveAgain : null,
    server_rss_connected_kib: rssConnected,
    server: stats ? { pid, ...stats } : null,
  };
}
