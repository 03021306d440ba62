/**
 * natter's entry point: `deno task start`, or the compiled binary.
 *
 * Reads the configuration, starts the server, prints the URL to open, and on
 * SIGINT or SIGTERM closes every client with 1001 and exits 0, within the
 * shutdown deadline even if a peer has stalled.
 *
 * @module
 */

import { serveCluster } from "./cluster.ts";
import { ConfigError, ENV_VARS, parseConfig, USAGE } from "./config.ts";
import { serve } from "./server.ts";
import { RedisStore } from "./store/redis.ts";

/** Reads an environment variable, or `undefined` where it may not be read. */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** The URL a person opens for a server listening on `addr`. */
export function pageUrl(addr: Deno.NetAddr): string {
  const wildcard = addr.hostname === "0.0.0.0" || addr.hostname === "::";
  const host = wildcard
    ? "localhost"
    : addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  return `http://${host}:${addr.port}/`;
}

/**
 * Runs natter until a signal stops it.
 *
 * @returns the process exit code: 0 after a clean stop, 1 when the server
 * cannot start, 2 for a bad flag or variable.
 */
export async function main(args: string[]): Promise<number> {
  let config;
  try {
    config = parseConfig(args, (name) => {
      return (ENV_VARS as readonly string[]).includes(name)
        ? readEnv(name)
        : undefined;
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`natter: ${error.message} (see --help)`);
    return 2;
  }
  if (config.help) {
    console.log(USAGE.trimEnd());
    return 0;
  }
  // Listen for signals before the start-up line, which tells a supervisor
  // natter is ready: a signal right after it must still stop natter cleanly.
  const { promise: stopped, resolve } = Promise.withResolvers<string>();
  const listeners = (["SIGINT", "SIGTERM"] as const).map((signal) => {
    const listener = () => resolve(signal);
    Deno.addSignalListener(signal, listener);
    return () => Deno.removeSignalListener(signal, listener);
  });
  const { workers, help: _, redis, presenceExpiry, ...options } = config;
  const log = (line: string) => console.error(`natter: ${line}`);
  // With Redis, every node (and every worker) is one more user of it.
  const shared = redis === "" ? undefined : { url: redis, presenceExpiry };
  const store = shared && workers === 1
    ? new RedisStore(shared.url, { ...options, presenceExpiry, log })
    : undefined;
  const onListen = (addr: Deno.NetAddr) => {
    const threads = workers > 1 ? ` on ${workers} workers` : "";
    console.log(
      `natter: listening on ${pageUrl(addr)}${threads} (open it to chat)`,
    );
  };
  let natter;
  try {
    natter = workers > 1
      ? await serveCluster({ ...options, workers, onListen, redis: shared })
      : serve({ ...options, store, log, onListen });
  } catch (error) {
    for (const remove of listeners) remove();
    await store?.[Symbol.asyncDispose]();
    const where = `${config.hostname}:${config.port}`;
    const why = error instanceof Deno.errors.AddrInUse
      ? "the address is already in use"
      : (error as Error).message;
    console.error(`natter: Cannot listen on "${where}": ${why}`);
    return 1;
  }
  const signal = await stopped;
  console.error(`natter: ${signal}: closing connections`);
  const clean = await natter.shutdown();
  // This node's members leave every other node's presence at once.
  await store?.[Symbol.asyncDispose]();
  if (!clean) console.error("natter: gave up waiting for stalled connections");
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
