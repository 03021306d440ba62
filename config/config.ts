/**
 * natter's configuration, in one place: built once from the command line and
 * the environment (flags win), validated, then passed down.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { ServerOptions } from "../http/server.ts";
import { DEFAULTS, type FlagKey } from "../settings/settings.ts";
import type { LOG_FORMATS, LOG_LEVELS } from "../util/log.ts";
import { checkCombinations } from "./config_checks.ts";
import { type Flag, FLAGS } from "./config_usage.ts";
import { ConfigError, parseValue, type Raw } from "./config_values.ts";

export { MIN_SECRET_BYTES } from "./config_checks.ts";
export { ENV_VARS, USAGE } from "./config_usage.ts";
export { ConfigError, parseAddr } from "./config_values.ts";

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

// Every flag sets the Config field its setting is keyed by (`--addr` sets
// `hostname` and `port`): a setting keyed otherwise fails to compile here.
type Stray = Exclude<FlagKey, keyof Config | "addr">;
const _everyFlagSetsAField: [Stray] extends [never] ? true : Stray = true;

// The Hub's pacing budget has a default but no flag, and no Config field.
// Every field Config requires has a default, or this fails to compile.
const { paceBudget: _, ...defaults } = DEFAULTS;
const BASE: Config = defaults;

/** The values one source gave, by setting, with the label each was given by. */
type Layer = Map<Flag, { label: string; raw: Raw }>;

/**
 * Builds the configuration from `args` (as `Deno.args`) and `env` (a lookup
 * of {@linkcode ENV_VARS}).
 *
 * @example
 * ```ts
 * const config = parseConfig(["--port", "9000"], (name) => Deno.env.get(name));
 * config.port; // 9000
 * ```
 *
 * @throws {ConfigError} naming the flag or variable and the value that is
 * wrong.
 */
export function parseConfig(
  args: string[],
  env: (name: string) => string | undefined = () => undefined,
): Config {
  const flags = parseFlags(args);
  if (flags.help) return { ...BASE, help: true };
  const fromEnv: Layer = new Map();
  const fromFlags: Layer = new Map();
  for (const flag of FLAGS) {
    const { env: name, flag: option } = flag.setting;
    const value = name === undefined ? undefined : env(name);
    // An empty variable counts as unset.
    if (name !== undefined && value !== undefined && value !== "") {
      fromEnv.set(flag, { label: name, raw: value });
    }
    const given = flags[option];
    if (given !== undefined && typeof given !== "boolean") {
      fromFlags.set(flag, { label: `--${option}`, raw: given });
    }
  }
  const config = { ...BASE };
  const given = new Map<string, string>();
  // Flags win: they are applied last.
  for (const layer of [fromEnv, fromFlags]) {
    for (const [{ key, setting }, { label, raw }] of layer) {
      const value = parseValue(setting, label, raw);
      if (setting.type === "address") Object.assign(config, value);
      else Object.assign(config, { [key]: value });
      given.set(key, label);
    }
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

/** The flags in `args`, by name; refused in one line when parseArgs is. */
function parseFlags(
  args: string[],
): Record<string, string | string[] | boolean | undefined> {
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(FLAGS.map(({ setting }) => [setting.flag, {
        type: setting.type === "boolean" ? "boolean" : "string",
        multiple: setting.type === "list",
        ...(setting.short === undefined ? {} : { short: setting.short }),
      }])),
    });
    return values as Record<string, string | string[] | boolean | undefined>;
  } catch (error) {
    // parseArgs may explain in several lines; natter says it in one.
    const lines = (error as Error).message.split(/\r?\n/);
    throw new ConfigError(lines.map((line) => line.trim()).join(" "));
  }
}
