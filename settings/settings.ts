/**
 * natter's settings, each declared once: its flag and environment variable,
 * its kind of value and unit, its default, its range and its help. The
 * configuration's parser, its `--help`, the flag reference in
 * `docs/flags.md`, and every module's defaults come from here.
 *
 * The order is the order of the variables in `deno.json`'s `--allow-env`,
 * and within one source `--addr` comes before `--hostname` and `--port`,
 * which override its parts.
 *
 * @module
 */

import { FIXED } from "./fixed.ts";
import { TOKENS } from "./tokens.ts";
import { FORMATS, LEVELS } from "./log_words.ts";
import {
  type Defaults,
  defaultsOf,
  type FlagKeys,
  type Setting,
} from "./setting.ts";

export * from "./setting.ts";

/**
 * Every setting, by the key of the `Config` field it sets (`addr` sets two,
 * `hostname` and `port`).
 *
 * @example
 * ```ts
 * SETTINGS.maxRooms.flag; // "max-rooms"
 * SETTINGS.writeWait.unit; // "seconds"
 * ```
 */
// deno-fmt-ignore -- a table: a setting's fields together, a line or two each
export const SETTINGS = {
  addr: {
    flag: "addr", env: "NATTER_ADDR", group: "listen", type: "address",
    arg: "ADDR", defaultNote: ":8080",
    help: 'listen address, ":8080" or "host:port", "[::1]:8080" for IPv6',
  },
  hostname: {
    flag: "hostname", env: "NATTER_HOSTNAME", group: "listen", arg: "HOST",
    type: "string", default: "0.0.0.0",
    help: "interface to listen on; overrides the host of --addr",
  },
  port: {
    flag: "port", env: "NATTER_PORT", group: "listen", arg: "PORT",
    type: "integer", unit: "port", default: 8080, min: 0, max: 65535,
    zero: "any free port", help: "port to listen on; overrides that of --addr",
  },
  allowOrigins: {
    flag: "allow-origin", env: "NATTER_ALLOW_ORIGIN", group: "listen",
    arg: "ORIGIN", type: "list", default: [], defaultNote: "none",
    help: "also accept this Origin, e.g. https://chat.example.com, or * for any",
  },
  maxMessageSize: {
    flag: "max-message-size", env: "NATTER_MAX_MESSAGE_SIZE",
    group: "connections", type: "integer", unit: "bytes", default: 512,
    min: 1, max: 64 << 20,
    help: "largest inbound message (UTF-8); a larger one closes with 1009",
  },
  queueSize: {
    flag: "queue-size", env: "NATTER_QUEUE_SIZE", group: "connections",
    type: "integer", unit: "count", default: 256, min: 1, max: 1 << 20,
    help: "outbound messages queued per client; a client over it is dropped",
  },
  idleTimeout: {
    flag: "idle-timeout", env: "NATTER_IDLE_TIMEOUT", group: "connections",
    type: "integer", unit: "seconds", default: 60, min: 2, max: 86_400,
    help: "drop a peer silent this long; it is pinged at half of it",
  },
  writeWait: {
    flag: "write-wait", env: "NATTER_WRITE_WAIT", group: "connections",
    type: "integer", unit: "seconds", stored: "milliseconds", default: 10,
    min: 1, max: 3600,
    help: "drop a peer whose socket does not drain for this long",
  },
  requestTimeout: {
    flag: "request-timeout", env: "NATTER_REQUEST_TIMEOUT", group: "listen",
    type: "integer", unit: "seconds", stored: "milliseconds", default: 10,
    min: 1, max: 3600,
    help: "close a connection that has not sent a whole request by then",
  },
  maxConnections: {
    flag: "max-connections", env: "NATTER_MAX_CONNECTIONS", group: "listen",
    type: "integer", unit: "count", min: 1, max: 1 << 24,
    defaultNote: "what the file descriptor limit allows",
    help: "the most WebSocket clients at once; one more gets 503",
  },
  workers: {
    flag: "workers", env: "NATTER_WORKERS", group: "listen", type: "integer",
    unit: "count", default: 1, min: 1, max: 256,
    help: "threads serving the port, with one message order per room for all",
  },
  maxRooms: {
    flag: "max-rooms", env: "NATTER_MAX_ROOMS", group: "rooms",
    type: "integer", unit: "count", default: 4096, min: 1, max: 1 << 20,
    help: "rooms the server holds at once, with members or history",
  },
  maxMembers: {
    flag: "max-members", env: "NATTER_MAX_MEMBERS", group: "rooms",
    type: "integer", unit: "count", default: 10_000, min: 1, max: 1 << 24,
    help: "members one room admits",
  },
  maxRoomsPerClient: {
    flag: "rooms-per-client", env: "NATTER_ROOMS_PER_CLIENT", group: "rooms",
    type: "integer", unit: "count", default: 32, min: 1, max: 1024,
    help: "rooms one natter.v1 connection may be in",
  },
  historySize: {
    flag: "history-size", env: "NATTER_HISTORY_SIZE", group: "rooms",
    type: "integer", unit: "count", default: 500, min: 0, max: 1 << 24,
    help: "messages a room's history keeps",
  },
  historyBytes: {
    flag: "history-bytes", env: "NATTER_HISTORY_BYTES", group: "rooms",
    type: "integer", unit: "bytes", default: 128 * 1024, min: 0, max: 2 ** 40,
    help: "memory a room's history may take",
  },
  historyTtl: {
    flag: "history-ttl", env: "NATTER_HISTORY_TTL", group: "rooms",
    type: "integer", unit: "seconds", stored: "milliseconds", default: 300,
    min: 0, max: 86_400 * 365,
    help: "how long a room with no members keeps its history",
  },
  ...TOKENS,
  maxConnectionsPerIp: {
    flag: "max-connections-per-ip", env: "NATTER_MAX_CONNECTIONS_PER_IP",
    group: "limits", type: "integer", unit: "count", default: 0, min: 0,
    max: 1 << 24, zero: "no limit",
    help: "open connections from one address, all workers together; one " +
      "more gets 429",
  },
  rateLimit: {
    flag: "rate-limit", env: "NATTER_RATE_LIMIT", group: "limits",
    type: "integer", unit: "per second", default: 0, min: 0, max: 1 << 20,
    zero: "no limit", help: "messages one connection may send",
  },
  rateBurst: {
    flag: "rate-burst", env: "NATTER_RATE_BURST", group: "limits",
    type: "integer", unit: "count", min: 1, max: 1 << 20,
    defaultNote: "the rate",
    help: "with --rate-limit: messages one connection may send at once",
  },
  joinRate: {
    flag: "join-rate", env: "NATTER_JOIN_RATE", group: "limits",
    type: "integer", unit: "per second", default: 10, min: 0, max: 1 << 20,
    zero: "no limit", help: "joins and leaves of one natter.v1 connection",
  },
  historyRate: {
    flag: "history-rate", env: "NATTER_HISTORY_RATE", group: "limits",
    type: "integer", unit: "per second", default: 10, min: 0, max: 1 << 20,
    zero: "no limit",
    help: "history and members commands of one natter.v1 connection",
  },
  createRate: {
    flag: "create-rate", env: "NATTER_CREATE_RATE", group: "limits",
    type: "integer", unit: "per second", default: 1, min: 0, max: 1 << 20,
    zero: "no limit", help: "new rooms one connection may create",
  },
  memberPage: {
    flag: "member-page", env: "NATTER_MEMBER_PAGE", group: "rooms",
    type: "integer", unit: "count", default: 100, min: 1, max: 1000,
    help: "members one joined or members reply lists",
  },
  queueBytes: {
    flag: "queue-bytes", env: "NATTER_QUEUE_BYTES", group: "connections",
    type: "integer", unit: "UTF-16 code units", default: 1 << 20, min: 1,
    max: 2 ** 40,
    help: "outbound frames queued per client, at least --queue-size x " +
      "(--max-message-size + 1)",
  },
  firstFrameTimeout: {
    flag: "first-frame-timeout", env: "NATTER_FIRST_FRAME_TIMEOUT",
    group: "connections", type: "integer", unit: "seconds",
    stored: "milliseconds", default: 0, min: 0, max: 86_400, zero: "never",
    help: "close a connection that sends nothing this long after opening",
  },
  metricsToken: {
    flag: "metrics-token", env: "NATTER_METRICS_TOKEN", group: "operations",
    arg: "TOKEN", type: "string",
    help: "/metrics needs Authorization: Bearer TOKEN",
  },
  adminToken: {
    flag: "admin-token", env: "NATTER_ADMIN_TOKEN", group: "operations",
    arg: "TOKEN", type: "string",
    help: "enables the server API under /api/, for Authorization: Bearer TOKEN",
  },
  certFile: {
    flag: "cert", env: "NATTER_CERT", group: "listen", arg: "FILE",
    type: "string", help: "with --key: serve https and wss with this PEM " +
      "certificate chain",
  },
  keyFile: {
    flag: "key", env: "NATTER_KEY", group: "listen", arg: "FILE",
    type: "string", help: "with --cert: the certificate's PEM private key",
  },
  logFormat: {
    flag: "log-format", env: "NATTER_LOG_FORMAT", group: "operations",
    arg: "FORMAT", type: "choice", choices: FORMATS, default: "text",
    help: 'log lines as text ("natter: message") or one JSON object each',
  },
  logLevel: {
    flag: "log-level", env: "NATTER_LOG_LEVEL", group: "operations",
    arg: "LEVEL", type: "choice", choices: LEVELS, default: "info",
    help: "the least severe level logged",
  },
  drainDelay: {
    flag: "drain-delay", env: "NATTER_DRAIN_DELAY", group: "operations",
    type: "integer", unit: "seconds", stored: "milliseconds", default: 0,
    min: 0, max: 3600,
    help: "on SIGTERM, how long /readyz answers 503 before clients are " +
      "closed with 1012",
  },
  redis: {
    flag: "redis", env: "NATTER_REDIS", group: "scale-out", arg: "URL",
    type: "url", protocols: ["redis:", "rediss:"], default: "",
    defaultNote: "in memory",
    help: "keep rooms in this Redis, shared with other natter nodes, e.g. " +
      "redis://127.0.0.1:6379",
  },
  presenceExpiry: {
    flag: "presence-expiry", env: "NATTER_PRESENCE_EXPIRY",
    group: "scale-out", type: "integer", unit: "seconds",
    stored: "milliseconds", default: 45, min: 1, max: 3600,
    help: "with --redis: how soon the members of a node that died leave " +
      "presence",
  },
  latencyBudget: {
    flag: "latency-budget", env: "NATTER_LATENCY_BUDGET", group: "rooms",
    type: "integer", unit: "milliseconds", default: 40, min: 0, max: 1000,
    zero: "no pacing",
    help: "the longest a busy room holds a message to fill its frames",
  },
  drainWindow: {
    flag: "drain-window", env: "NATTER_DRAIN_WINDOW", group: "operations",
    type: "integer", unit: "seconds", stored: "milliseconds", default: 5,
    min: 0, max: 3600, zero: "all at once",
    help: "on SIGTERM, after --drain-delay: the time over which clients are " +
      "closed, in batches, so they reconnect elsewhere gradually",
  },
  acceptRate: {
    flag: "accept-rate", env: "NATTER_ACCEPT_RATE", group: "limits",
    type: "integer", unit: "per second", default: 0, min: 0, max: 1 << 20,
    zero: "no limit",
    help: "handshakes accepted for WebSocket, all clients together; the " +
      "excess gets 503 with Retry-After",
  },
  help: {
    flag: "help", short: "h", group: "operations", type: "boolean",
    default: false, help: "show this help",
  },
  ...FIXED,
} as const satisfies Record<string, Setting>;

/** The key of a setting, as `Config` names its field. */
export type SettingKey = keyof typeof SETTINGS;

/** The key of a setting that has a flag. */
export type FlagKey = FlagKeys<typeof SETTINGS>;

/**
 * Every default, by setting, in the unit the program holds it in (the
 * `Config` field's): `DEFAULTS.writeWait` is 10000 (ms), declared as 10 s.
 *
 * @example
 * ```ts
 * declare const options: { maxMessageSize?: number };
 * const max = options.maxMessageSize ?? DEFAULTS.maxMessageSize; // 512
 * ```
 */
export const DEFAULTS: Defaults<typeof SETTINGS> = defaultsOf(SETTINGS);
