/**
 * Test helpers: a redis-server of the test's own on a free loopback port,
 * which the test can stop, restart (with its data or empty) and kill. The
 * Redis the machine may already run is never touched.
 *
 * @module
 */

import { isCI } from "./ci.ts";
import { Lines } from "./process.ts";
import { deadline } from "./natter.ts";

/**
 * Why the Redis tests cannot run here, or `undefined` when they can. In CI
 * a missing redis-server is a failure, not a reason to skip.
 */
function redisSkipReason(): string | undefined {
  try {
    const { success } = new Deno.Command("redis-server", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    if (success) return undefined;
  } catch {
    // Not installed.
  }
  if (isCI()) return undefined;
  return "redis-server not found; install it with `apt-get install -y redis-server`";
}

const skip = redisSkipReason();
if (skip) console.log(`Redis tests skipped: ${skip}`);

/** Options for `Deno.test` that skip, visibly, where redis-server is missing. */
export const redisTest: Pick<Deno.TestDefinition, "ignore"> = {
  ignore: skip !== undefined,
};

/** A free TCP port on 127.0.0.1 (free when asked; take it soon). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Options for {@linkcode RedisServer.start}. */
export interface RedisServerOptions {
  /**
   * Keep the data across a restart: an append-only file synced on every
   * write. Otherwise nothing is saved.
   * @default {false}
   */
  durable?: boolean;
}

/** A redis-server process of the test's own. */
export class RedisServer implements AsyncDisposable {
  /** The port it listens on, the same across restarts. */
  readonly port: number;
  readonly #dir: string;
  readonly #durable: boolean;
  #child?: Deno.ChildProcess;
  #output?: Lines;

  private constructor(port: number, dir: string, durable: boolean) {
    this.port = port;
    this.#dir = dir;
    this.#durable = durable;
  }

  /** Starts redis-server on a free port and waits until it accepts. */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const dir = await Deno.makeTempDir({ prefix: "natter_redis_" });
    const server = new RedisServer(freePort(), dir, options.durable ?? false);
    await server.#spawn();
    return server;
  }

  /** `redis://127.0.0.1:PORT` */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Whether it runs now. */
  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Stops it (SIGTERM: saves what it must), or kills it (SIGKILL). */
  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    try {
      child.kill(signal);
    } catch {
      // It exited meanwhile.
    }
    await deadline(child.status, "redis-server to exit");
    await this.#output?.done;
  }

  /** Starts it again on the same port, with its data unless `empty`. */
  async restart(options: { empty?: boolean } = {}): Promise<void> {
    await this.stop();
    if (options.empty) {
      for await (const entry of Deno.readDir(this.#dir)) {
        await Deno.remove(`${this.#dir}/${entry.name}`, { recursive: true });
      }
    }
    await this.#spawn();
  }

  /** Stops it and removes its files. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop("SIGKILL");
    await Deno.remove(this.#dir, { recursive: true });
  }

  async #spawn(): Promise<void> {
    const persistence = this.#durable
      ? ["--appendonly", "yes", "--appendfsync", "always"]
      : ["--appendonly", "no"];
    const child = new Deno.Command("redis-server", {
      args: [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        ...persistence,
        "--dir",
        this.#dir,
        "--logfile",
        "",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#child = child;
    this.#output = new Lines(child.stdout);
    try {
      await this.#output.find(/Ready to accept connections/, "Redis to start");
    } catch (error) {
      await this.stop("SIGKILL");
      throw error;
    }
  }
}
