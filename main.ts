/**
 * natter's entry point: `deno task start`, or the compiled binary.
 *
 * Reads the configuration, starts the server, prints the URL to open, and on
 * SIGINT or SIGTERM closes every client with 1001 and exits 0, within the
 * shutdown deadline even if a peer has stalled.
 *
 * @module
 */

import { defaultLimits, FALLBACK_DESCRIPTORS } from "./admission.ts";
import { serveCluster } from "./cluster.ts";
import { ConfigError, ENV_VARS, parseConfig, USAGE } from "./config.ts";
import { freeDescriptors } from "./descriptors.ts";
import { serve } from "./server.ts";

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
  // Before any connection: how many descriptors the process may still open.
  const free = freeDescriptors();
  if (free === undefined) {
    console.error(
      "natter: cannot count the free file descriptors (it needs " +
        `--allow-read=/dev/null); assuming ${FALLBACK_DESCRIPTORS}`,
    );
  }
  const limits = defaultLimits(free ?? FALLBACK_DESCRIPTORS);
  const { workers, help: _, ...settings } = config;
  const options = {
    ...settings,
    maxConnections: config.maxConnections ?? limits.clients,
    maxSockets: limits.sockets,
  };
  const onListen = (addr: Deno.NetAddr) => {
    const threads = workers > 1 ? ` on ${workers} workers` : "";
    console.log(
      `natter: listening on ${pageUrl(addr)}${threads} (open it to chat)`,
    );
    console.log(
      `natter: up to ${options.maxConnections} clients and ` +
        `${limits.sockets} connections at once ` +
        `(${free ?? FALLBACK_DESCRIPTORS} file descriptors free)`,
    );
    if (options.maxConnections > limits.sockets) {
      console.error(
        `natter: --max-connections ${options.maxConnections} is more than ` +
          `the descriptors allow: connections over ${limits.sockets} ` +
          "are closed at once",
      );
    }
  };
  let natter;
  try {
    natter = workers > 1
      ? await serveCluster({ ...options, workers, onListen })
      : serve({
        ...options,
        log: (line) => console.error(`natter: ${line}`),
        onListen,
      });
  } catch (error) {
    for (const remove of listeners) remove();
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
  if (!clean) console.error("natter: gave up waiting for stalled connections");
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
