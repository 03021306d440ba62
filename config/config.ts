/**
 * natter's configuration, in one place: built once from the command line and
 * the environment (flags win), validated, then passed down.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { ENV_VARS, flagOf } from "./config_usage.ts";
import {
  ConfigError,
  nonEmpty,
  oneOf,
  parseAddr,
  parseInteger,
  parseRedisUrl,
} from "./config_values.ts";

export { ENV_VARS, USAGE } from "./config_usage.ts";
export { ConfigError, parseAddr } from "./config_values.ts";
import { LOG_FORMATS, LOG_LEVELS } from "../util/log.ts";
import type { ServerOptions } from "../http/server.ts";

/**
 * Server options that name secrets or files, set only when given, and the
 * Hub's pacing budget, a tuning knob with no flag.
 */
type Optional =
  | "paceBudget"
  | "meter"
  | "verifier"
  | "metricsToken"
  | "adminToken"
  | "cert"
  | "key";

/** Everything `main.ts` needs to start natter. */
export interface Config extends
  Required<
    Omit<
      ServerOptions,
      | "onListen"
      | "log"
      | "store"
      | "ipSlots"
      | "reusePort"
      | "idPrefix"
      | Optional
      | "maxConnections"
      | "maxSockets"
      | "rateBurst"
    >
  >,
  Pick<ServerOptions, "metricsToken" | "adminToken" | "rateBurst"> {
  /**
   * The most WebSocket clients at once; unset, `main.ts` derives it from the
   * file descriptors the process may open.
   */
  maxConnections?: number;
  /** How many threads serve connections; more than 1 starts workers. */
  workers: number;
  /** The HS256 secret of connection tokens. */
  jwtSecret?: string;
  /** The file of the RS256 or ES256 public key of connection tokens. */
  jwtPublicKey?: string;
  /** The `iss` every connection token must carry, when given. */
  jwtIssuer?: string;
  /** The `aud` every connection token must name, when given. */
  jwtAudience?: string;
  /** The file of the TLS certificate chain (PEM). */
  certFile?: string;
  /** The file of the TLS private key (PEM). */
  keyFile?: string;
  /** `text` or `json`. */
  logFormat: (typeof LOG_FORMATS)[number];
  /** The least severe level logged. */
  logLevel: (typeof LOG_LEVELS)[number];
  /** Milliseconds `/readyz` is 503 on SIGTERM before clients are closed. */
  drainDelay: number;
  /**
   * The Redis that rooms live in, shared with other natter nodes; "" keeps
   * them in this process's memory.
   */
  redis: string;
  /**
   * Milliseconds within which the members of a node that died leave the
   * presence of the other nodes (with `redis`).
   */
  presenceExpiry: number;
  /** Whether `--help` was asked for. */
  help: boolean;
}

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
  redis: "",
  presenceExpiry: 45_000,
  backlog: 8192,
  maxRooms: 4096,
  maxMembers: 10_000,
  maxRoomsPerClient: 32,
  historySize: 500,
  historyBytes: 128 * 1024,
  historyTtl: 300_000,
  replay: 50,
  historyPage: 100,
  maxCommandSize: 4096,
  maxConnectionsPerIp: 0,
  rateLimit: 0,
  joinRate: 10,
  historyRate: 10,
  createRate: 1,
  memberPage: 100,
  queueBytes: 1 << 20,
  firstFrameTimeout: 0,
  logFormat: "text",
  logLevel: "info",
  drainDelay: 0,
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
        ...Object.fromEntries(ENV_VARS.map((name) => [flagOf(name), {
          type: "string" as const,
          multiple: name === "NATTER_ALLOW_ORIGIN",
        }])),
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    // parseArgs may explain in several lines; natter says it in one.
    const lines = (error as Error).message.split(/\r?\n/);
    throw new ConfigError(lines.map((line) => line.trim()).join(" "));
  }
  const flags = parsed.values as Record<
    string,
    string | string[] | boolean | undefined
  >;
  if (flags.help) return { ...DEFAULTS, help: true };
  const fromEnv: Layer = {};
  for (const name of ENV_VARS) {
    const value = env(name);
    if (value !== undefined && value !== "") fromEnv[name] = value;
  }
  const config = { ...DEFAULTS };
  apply(config, fromEnv, (name) => name);
  const fromFlags: Layer = {};
  for (const name of ENV_VARS) {
    const value = flags[flagOf(name)];
    if (typeof value !== "boolean") fromFlags[name] = value;
  }
  apply(config, fromFlags, (name) => "--" + flagOf(name));
  const given = new Map<string, string>();
  for (const name of ENV_VARS) {
    if (fromFlags[name] !== undefined) given.set(name, "--" + flagOf(name));
    else if (fromEnv[name] !== undefined) given.set(name, name);
  }
  checkCombinations(config, given);
  // A natter.v1 send must fit in a command: its text JSON-escaped (at most
  // six bytes a byte) with room for the command around it.
  config.maxCommandSize = Math.max(
    DEFAULTS.maxCommandSize,
    config.maxMessageSize * 6 + 1024,
  );
  return config;
}

/** The fewest bytes of an HS256 secret: the hash's own 256 bits (RFC 7518). */
export const MIN_SECRET_BYTES = 32;

/**
 * Refuses settings that each parse but cannot work together. `given` maps
 * each variable that was set to the label it was set by (the flag, or the
 * variable).
 */
function checkCombinations(config: Config, given: Map<string, string>): void {
  const named = (name: (typeof ENV_VARS)[number]) =>
    given.get(name) ?? "--" + flagOf(name);
  const both = (a: (typeof ENV_VARS)[number], b: (typeof ENV_VARS)[number]) =>
    given.has(a) && given.has(b);
  const without = (
    name: (typeof ENV_VARS)[number],
    needs: (typeof ENV_VARS)[number],
    why: string,
  ) => {
    if (given.has(name) && !given.has(needs)) {
      throw new ConfigError(
        `Cannot use "${named(name)}" without "${named(needs)}": ${why}`,
      );
    }
  };
  without("NATTER_CERT", "NATTER_KEY", "TLS needs the certificate's key");
  without("NATTER_KEY", "NATTER_CERT", "TLS needs a certificate");
  if (both("NATTER_JWT_SECRET", "NATTER_JWT_PUBLIC_KEY")) {
    throw new ConfigError(
      `Cannot use "${named("NATTER_JWT_SECRET")}" with ` +
        `"${named("NATTER_JWT_PUBLIC_KEY")}": tokens are checked with one key`,
    );
  }
  const keyless = !given.has("NATTER_JWT_SECRET") &&
    !given.has("NATTER_JWT_PUBLIC_KEY");
  for (const name of ["NATTER_JWT_ISSUER", "NATTER_JWT_AUDIENCE"] as const) {
    if (given.has(name) && keyless) {
      throw new ConfigError(
        `Cannot use "${named(name)}" without "--jwt-secret" or ` +
          `"--jwt-public-key": no token is checked`,
      );
    }
  }
  const secret = config.jwtSecret;
  if (secret !== undefined) {
    const bytes = new TextEncoder().encode(secret).length;
    // The value is a secret: its length is named, never the value.
    if (bytes < MIN_SECRET_BYTES) {
      throw new ConfigError(
        `Cannot use "${named("NATTER_JWT_SECRET")}": it is ${bytes} bytes, ` +
          `HS256 needs at least ${MIN_SECRET_BYTES}`,
      );
    }
  }
  if (given.has("NATTER_RATE_BURST") && config.rateLimit === 0) {
    throw new ConfigError(
      `Cannot use "${named("NATTER_RATE_BURST")}" without ` +
        `"${named("NATTER_RATE_LIMIT")}": there is no rate to burst within`,
    );
  }
  without(
    "NATTER_PRESENCE_EXPIRY",
    "NATTER_REDIS",
    "presence expires only in a Redis shared by several nodes",
  );
  const needed = config.queueSize * (config.maxMessageSize + 1);
  if (config.queueBytes < needed) {
    throw new ConfigError(
      `Cannot use "${named("NATTER_QUEUE_BYTES")}": "${config.queueBytes}" ` +
        `is less than ${named("NATTER_QUEUE_SIZE")} x ` +
        `(${named("NATTER_MAX_MESSAGE_SIZE")} + 1) = ${needed}, so a full ` +
        `queue would not fit`,
    );
  }
  // A join that recovers is replayed up to the whole history; its events
  // take at most one and a half times what the history counts them as.
  if (config.queueBytes < 2 * config.historyBytes) {
    throw new ConfigError(
      `Cannot use "${named("NATTER_QUEUE_BYTES")}": "${config.queueBytes}" ` +
        `is less than twice ${named("NATTER_HISTORY_BYTES")} ` +
        `(${config.historyBytes}), so a join that recovers the whole ` +
        `history would not fit`,
    );
  }
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
  if (hostname !== undefined) {
    config.hostname = nonEmpty(label("NATTER_HOSTNAME"), hostname);
  }
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
  config.maxRooms = int("NATTER_MAX_ROOMS", 1, 1 << 20) ?? config.maxRooms;
  config.maxMembers = int("NATTER_MAX_MEMBERS", 1, 1 << 24) ??
    config.maxMembers;
  config.maxRoomsPerClient = int("NATTER_ROOMS_PER_CLIENT", 1, 1024) ??
    config.maxRoomsPerClient;
  config.historySize = int("NATTER_HISTORY_SIZE", 0, 1 << 24) ??
    config.historySize;
  config.historyBytes = int("NATTER_HISTORY_BYTES", 0, 2 ** 40) ??
    config.historyBytes;
  const historyTtl = int("NATTER_HISTORY_TTL", 0, 86_400 * 365);
  if (historyTtl !== undefined) config.historyTtl = historyTtl * 1000;
  config.maxConnectionsPerIp =
    int("NATTER_MAX_CONNECTIONS_PER_IP", 0, 1 << 24) ??
      config.maxConnectionsPerIp;
  config.rateLimit = int("NATTER_RATE_LIMIT", 0, 1 << 20) ?? config.rateLimit;
  config.rateBurst = int("NATTER_RATE_BURST", 1, 1 << 20) ?? config.rateBurst;
  config.joinRate = int("NATTER_JOIN_RATE", 0, 1 << 20) ?? config.joinRate;
  config.historyRate = int("NATTER_HISTORY_RATE", 0, 1 << 20) ??
    config.historyRate;
  config.createRate = int("NATTER_CREATE_RATE", 0, 1 << 20) ??
    config.createRate;
  config.memberPage = int("NATTER_MEMBER_PAGE", 1, 1000) ?? config.memberPage;
  config.queueBytes = int("NATTER_QUEUE_BYTES", 1, 2 ** 40) ??
    config.queueBytes;
  const firstFrame = int("NATTER_FIRST_FRAME_TIMEOUT", 0, 86_400);
  if (firstFrame !== undefined) config.firstFrameTimeout = firstFrame * 1000;
  const drainDelay = int("NATTER_DRAIN_DELAY", 0, 3600);
  if (drainDelay !== undefined) config.drainDelay = drainDelay * 1000;
  const strings = [
    ["NATTER_JWT_SECRET", "jwtSecret"],
    ["NATTER_JWT_PUBLIC_KEY", "jwtPublicKey"],
    ["NATTER_JWT_ISSUER", "jwtIssuer"],
    ["NATTER_JWT_AUDIENCE", "jwtAudience"],
    ["NATTER_METRICS_TOKEN", "metricsToken"],
    ["NATTER_ADMIN_TOKEN", "adminToken"],
    ["NATTER_CERT", "certFile"],
    ["NATTER_KEY", "keyFile"],
  ] as const;
  for (const [name, key] of strings) {
    const value = one(name);
    if (value !== undefined) config[key] = nonEmpty(label(name), value);
  }
  const format = oneOf(
    label("NATTER_LOG_FORMAT"),
    one("NATTER_LOG_FORMAT"),
    LOG_FORMATS,
  );
  if (format !== undefined) config.logFormat = format;
  const level = oneOf(
    label("NATTER_LOG_LEVEL"),
    one("NATTER_LOG_LEVEL"),
    LOG_LEVELS,
  );
  if (level !== undefined) config.logLevel = level;
  const presenceExpiry = int("NATTER_PRESENCE_EXPIRY", 1, 3600);
  if (presenceExpiry !== undefined) {
    config.presenceExpiry = presenceExpiry * 1000;
  }
  const redis = one("NATTER_REDIS");
  if (redis !== undefined) {
    config.redis = parseRedisUrl(label("NATTER_REDIS"), redis);
  }
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
