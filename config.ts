/**
 * natter's configuration, in one place: built once from the command line and
 * the environment (flags win), validated, then passed down.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { ServerOptions } from "./server.ts";

/** Everything `main.ts` needs to start natter. */
export interface Config extends
  Required<
    Omit<
      ServerOptions,
      | "onListen"
      | "log"
      | "relay"
      | "reusePort"
      | "maxConnections"
      | "maxSockets"
    >
  > {
  /**
   * The most WebSocket clients at once; unset, `main.ts` derives it from the
   * file descriptors the process may open.
   */
  maxConnections?: number;
  /** How many threads serve connections; more than 1 starts workers. */
  workers: number;
  /** Whether `--help` was asked for. */
  help: boolean;
}

/** A configuration value that cannot be used; its message is for the user. */
export class ConfigError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** The environment variables natter reads, each the twin of a flag. */
export const ENV_VARS = [
  "NATTER_ADDR",
  "NATTER_HOSTNAME",
  "NATTER_PORT",
  "NATTER_ALLOW_ORIGIN",
  "NATTER_MAX_MESSAGE_SIZE",
  "NATTER_QUEUE_SIZE",
  "NATTER_IDLE_TIMEOUT",
  "NATTER_WRITE_WAIT",
  "NATTER_REQUEST_TIMEOUT",
  "NATTER_MAX_CONNECTIONS",
  "NATTER_WORKERS",
] as const;

/** The `--help` text. */
export const USAGE = `Usage: natter [flags]

A WebSocket chat server: open http://localhost:8080/ in two tabs and chat.

Flags (each also read from the environment variable in brackets; flags win):
  --addr ADDR            listen address, ":8080" or "host:port" [NATTER_ADDR]
  --hostname HOST        interface to listen on (default 0.0.0.0) [NATTER_HOSTNAME]
  --port PORT            port to listen on, 0 for any free one (default 8080) [NATTER_PORT]
  --allow-origin ORIGIN  also allow this Origin, e.g. https://chat.example.com,
                         or * for any; repeatable [NATTER_ALLOW_ORIGIN, comma-separated]
  --max-message-size N   largest inbound message in bytes (default 512) [NATTER_MAX_MESSAGE_SIZE]
  --queue-size N         outbound messages queued per client (default 256) [NATTER_QUEUE_SIZE]
  --idle-timeout S       drop a peer silent for S seconds; pings at S/2 (default 60) [NATTER_IDLE_TIMEOUT]
  --write-wait S         drop a peer whose socket does not drain for S seconds (default 10) [NATTER_WRITE_WAIT]
  --request-timeout S    close a connection that has not sent a complete request
                         within S seconds (default 10) [NATTER_REQUEST_TIMEOUT]
  --max-connections N    the most WebSocket clients at once; more get 503 (default:
                         what the file descriptor limit allows) [NATTER_MAX_CONNECTIONS]
  --workers N            serve from N threads sharing the port, one message order
                         for all (default 1) [NATTER_WORKERS]
  -h, --help             show this help
`;

const DEFAULTS: Config = {
  hostname: "0.0.0.0",
  port: 8080,
  allowOrigins: [],
  maxMessageSize: 512,
  queueSize: 256,
  idleTimeout: 60,
  writeWait: 10_000,
  requestTimeout: 10_000,
  highWaterMark: 64 * 1024,
  maxWaiting: 16384,
  shutdownTimeout: 5000,
  workers: 1,
  help: false,
};

type Layer = Partial<Record<(typeof ENV_VARS)[number], string | string[]>>;

/**
 * Builds the configuration from `args` (as `Deno.args`) and `env` (a lookup
 * of {@linkcode ENV_VARS}).
 *
 * @throws {ConfigError} naming the flag or variable and the value that is
 * wrong.
 */
export function parseConfig(
  args: string[],
  env: (name: string) => string | undefined = () => undefined,
): Config {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        addr: { type: "string" },
        hostname: { type: "string" },
        port: { type: "string" },
        "allow-origin": { type: "string", multiple: true },
        "max-message-size": { type: "string" },
        "queue-size": { type: "string" },
        "idle-timeout": { type: "string" },
        "write-wait": { type: "string" },
        "request-timeout": { type: "string" },
        "max-connections": { type: "string" },
        workers: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const flags = parsed.values;
  if (flags.help) return { ...DEFAULTS, help: true };
  const fromEnv: Layer = {};
  for (const name of ENV_VARS) {
    const value = env(name);
    if (value !== undefined && value !== "") fromEnv[name] = value;
  }
  const config = { ...DEFAULTS };
  apply(config, fromEnv, (name) => name);
  apply(config, {
    NATTER_ADDR: flags.addr,
    NATTER_HOSTNAME: flags.hostname,
    NATTER_PORT: flags.port,
    NATTER_ALLOW_ORIGIN: flags["allow-origin"],
    NATTER_MAX_MESSAGE_SIZE: flags["max-message-size"],
    NATTER_QUEUE_SIZE: flags["queue-size"],
    NATTER_IDLE_TIMEOUT: flags["idle-timeout"],
    NATTER_WRITE_WAIT: flags["write-wait"],
    NATTER_REQUEST_TIMEOUT: flags["request-timeout"],
    NATTER_MAX_CONNECTIONS: flags["max-connections"],
    NATTER_WORKERS: flags.workers,
  }, (name) => "--" + name.slice(7).toLowerCase().replaceAll("_", "-"));
  return config;
}

/** Applies one layer of settings; `label` names a setting in errors. */
function apply(
  config: Config,
  layer: Layer,
  label: (name: keyof Layer) => string,
): void {
  const one = (name: keyof Layer) => {
    const value = layer[name];
    return Array.isArray(value) ? value.at(-1) : value;
  };
  const addr = one("NATTER_ADDR");
  if (addr !== undefined) {
    Object.assign(config, parseAddr(label("NATTER_ADDR"), addr));
  }
  const hostname = one("NATTER_HOSTNAME");
  if (hostname !== undefined) config.hostname = hostname;
  const int = (name: keyof Layer, min: number, max: number) => {
    const value = one(name);
    return value === undefined
      ? undefined
      : parseInteger(label(name), value, min, max);
  };
  config.port = int("NATTER_PORT", 0, 65535) ?? config.port;
  config.maxMessageSize = int("NATTER_MAX_MESSAGE_SIZE", 1, 64 << 20) ??
    config.maxMessageSize;
  config.queueSize = int("NATTER_QUEUE_SIZE", 1, 1 << 20) ?? config.queueSize;
  config.idleTimeout = int("NATTER_IDLE_TIMEOUT", 2, 86_400) ??
    config.idleTimeout;
  config.workers = int("NATTER_WORKERS", 1, 256) ?? config.workers;
  const writeWait = int("NATTER_WRITE_WAIT", 1, 3600);
  if (writeWait !== undefined) config.writeWait = writeWait * 1000;
  const requestTimeout = int("NATTER_REQUEST_TIMEOUT", 1, 3600);
  if (requestTimeout !== undefined) {
    config.requestTimeout = requestTimeout * 1000;
  }
  config.maxConnections = int("NATTER_MAX_CONNECTIONS", 1, 1 << 24) ??
    config.maxConnections;
  const origins = layer.NATTER_ALLOW_ORIGIN;
  if (origins !== undefined) {
    const list = Array.isArray(origins) ? origins : origins.split(",");
    config.allowOrigins = list.map((o) => o.trim()).filter((o) => o !== "");
  }
}

/**
 * Parses a listen address in gorilla's form `:8080` or as `host:port`
 * (`[::1]:8080` for IPv6).
 */
export function parseAddr(
  label: string,
  addr: string,
): { hostname?: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):([^:]+)$/.exec(addr);
  if (!match) {
    throw new ConfigError(
      `Cannot parse "${label}": "${addr}" is not ":port" or "host:port"`,
    );
  }
  const hostname = match[1] ?? match[2];
  const port = parseInteger(label, match[3], 0, 65535);
  return hostname ? { hostname, port } : { port };
}

function parseInteger(
  label: string,
  value: string,
  min: number,
  max: number,
): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new ConfigError(
      `Cannot parse "${label}": "${value}" is not a whole number`,
    );
  }
  const n = Number(value);
  if (n < min || n > max) {
    throw new ConfigError(
      `Cannot use "${label}": "${value}" is not between ${min} and ${max}`,
    );
  }
  return n;
}
