/**
 * natter's entry point: `deno task start`, or the compiled binary.
 *
 * Reads the configuration, starts the server, prints the URL to open, and on
 * SIGINT closes every client with 1001, on SIGTERM turns `/readyz` to 503
 * and then closes every client with 1012, in batches over the drain window,
 * and exits 0, within the shutdown deadline even if a peer has stalled.
 *
 * @module
 */

import {
  defaultLimits,
  FALLBACK_DESCRIPTORS,
} from "./http/listen/admission.ts";
import { createVerifier } from "./auth/token.ts";
import { serveCluster } from "./cluster/cluster.ts";
import { ConfigError, ENV_VARS, parseConfig, USAGE } from "./config/config.ts";
import { freeDescriptors } from "./http/listen/descriptors.ts";
import { setUpLogging } from "./util/log.ts";
import { serve, SERVICE_RESTART } from "./http/server.ts";
import { RedisStore } from "./store/redis.ts";
import { pause } from "./util/turns.ts";

/** Reads an environment variable, or `undefined` where it may not be read. */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** The URL a person opens for a server listening on `addr`. */
export function pageUrl(addr: Deno.NetAddr, tls = false): string {
  const wildcard = addr.hostname === "0.0.0.0" || addr.hostname === "::";
  const host = wildcard
    ? "localhost"
    : addr.hostname.includes(":")
    ? `[${addr.hostname}]`
    : addr.hostname;
  return `${tls ? "https" : "http"}://${host}:${addr.port}/`;
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
  const {
    workers,
    help: _,
    jwtSecret,
    jwtPublicKey,
    jwtIssuer,
    jwtAudience,
    certFile,
    keyFile,
    logFormat,
    logLevel,
    drainDelay,
    redis,
    presenceExpiry,
    ...settings
  } = config;
  const log = setUpLogging({ format: logFormat, level: logLevel });
  let files;
  try {
    files = readFiles({ jwtPublicKey, certFile, keyFile });
  } catch (error) {
    log(`${(error as Error).message} (see --help)`, {}, "error");
    return 2;
  }
  const tokens = {
    secret: jwtSecret,
    publicKey: files.publicKey,
    issuer: jwtIssuer,
    audience: jwtAudience,
  };
  let verifier;
  try {
    verifier = await createVerifier(tokens);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    log(`${error.message} (see --help)`, {}, "error");
    return 2;
  }
  // Before any connection: how many descriptors the process may still open.
  const free = freeDescriptors();
  if (free === undefined) {
    log(
      "cannot count the free file descriptors (it needs " +
        `--allow-read=/dev/null); assuming ${FALLBACK_DESCRIPTORS}`,
      { event: "limits" },
      "warning",
    );
  }
  // A WebSocket over TLS holds three descriptors: the TLS connection and
  // both ends of the loopback connection Deno's WebSocket runs on.
  const perClient = files.cert === undefined ? 1 : 3;
  const limits = defaultLimits(free ?? FALLBACK_DESCRIPTORS, perClient);
  const options = {
    ...settings,
    cert: files.cert,
    key: files.key,
    maxConnections: config.maxConnections ?? limits.clients,
    maxSockets: limits.sockets,
  };
  // Listen for signals before the start-up line, which tells a supervisor
  // natter is ready: a signal right after it must still stop natter cleanly.
  const { promise: stopped, resolve } = Promise.withResolvers<string>();
  const listeners = (["SIGINT", "SIGTERM"] as const).map((signal) => {
    const listener = () => resolve(signal);
    Deno.addSignalListener(signal, listener);
    return () => Deno.removeSignalListener(signal, listener);
  });
  // With Redis, every node (and every worker) is one more user of it.
  const shared = redis === "" ? undefined : { url: redis, presenceExpiry };
  const store = shared && workers === 1
    ? new RedisStore(shared.url, { ...options, presenceExpiry, log })
    : undefined;
  const onListen = (addr: Deno.NetAddr) => {
    const threads = workers > 1 ? ` on ${workers} workers` : "";
    const url = pageUrl(addr, options.cert !== undefined);
    console.log(`natter: listening on ${url}${threads} (open it to chat)`);
    console.log(
      `natter: up to ${options.maxConnections} clients and ` +
        `${limits.sockets} connections at once ` +
        `(${free ?? FALLBACK_DESCRIPTORS} file descriptors free)`,
    );
    if (options.maxConnections > limits.sockets) {
      log(
        `--max-connections ${options.maxConnections} is more than the ` +
          `descriptors allow: connections over ${limits.sockets} are closed at once`,
        { event: "limits" },
        "warning",
      );
    }
  };
  let natter;
  try {
    natter = workers > 1
      ? await serveCluster({
        ...options,
        workers,
        tokens,
        logging: { format: logFormat, level: logLevel },
        redis: shared,
        onListen,
      })
      : serve({ ...options, store, verifier, log, onListen });
  } catch (error) {
    for (const remove of listeners) remove();
    await store?.[Symbol.asyncDispose]();
    const where = `${config.hostname}:${config.port}`;
    const why = error instanceof Deno.errors.AddrInUse
      ? "the address is already in use"
      : (error as Error).message;
    log(
      `Cannot listen on "${where}": ${why}`,
      { event: "listen_failed" },
      "error",
    );
    return 1;
  }
  const signal = await stopped;
  log(`${signal}: closing connections`, { event: "shutdown", signal });
  let reason;
  if (signal === "SIGTERM") {
    // A rolling restart: balancers see /readyz fail first, then clients are
    // told to reconnect (1012), to another node where there is one, a batch
    // at a time over --drain-window so that they do not arrive all at once.
    natter.drain();
    if (drainDelay > 0) {
      await pause(drainDelay);
    }
    reason = SERVICE_RESTART;
  }
  const clean = await natter.shutdown(reason);
  // This node's members leave every other node's presence at once.
  await store?.[Symbol.asyncDispose]();
  if (!clean) {
    log(
      "gave up waiting for stalled connections",
      { event: "shutdown" },
      "warning",
    );
  }
  return 0;
}

/** Reads the files the configuration names (which checked they pair up). */
function readFiles(
  names: { jwtPublicKey?: string; certFile?: string; keyFile?: string },
): { publicKey?: string; cert?: string; key?: string } {
  const read = (flag: string, file?: string) => {
    if (file === undefined) return undefined;
    try {
      return Deno.readTextFileSync(file);
    } catch (error) {
      throw new ConfigError(
        `Cannot read "${flag}": "${file}": ${(error as Error).message}`,
      );
    }
  };
  return {
    publicKey: read("--jwt-public-key", names.jwtPublicKey),
    cert: read("--cert", names.certFile),
    key: read("--key", names.keyFile),
  };
}

if (import.meta.main) Deno.exit(await main(Deno.args));
