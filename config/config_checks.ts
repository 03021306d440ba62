/**
 * The settings that each parse but cannot work together, refused at start
 * in one line that names the flags or variables as they were given.
 *
 * @module
 */

import { type FlagKey as Key, SETTINGS } from "../settings/settings.ts";
import { ConfigError } from "./config_values.ts";

/** The fewest bytes of an HS256 secret: the hash's own 256 bits (RFC 7518). */
export const MIN_SECRET_BYTES: number = SETTINGS.jwtSecret.minBytes;

/** The values the checks compare, as `Config` holds them. */
export interface Checked {
  /** The HS256 secret, when given. */
  readonly jwtSecret?: string;
  /** Messages a second per connection; 0 for no limit. */
  readonly rateLimit: number;
  /** Outbound messages queued per client. */
  readonly queueSize: number;
  /** The largest inbound message, in bytes. */
  readonly maxMessageSize: number;
  /** UTF-16 code units of outbound frames queued per client. */
  readonly queueBytes: number;
  /** Bytes a room's history may take. */
  readonly historyBytes: number;
}

/**
 * Refuses settings that cannot work together. `given` maps the key of each
 * setting that was set to the label it was set by (the flag, or the
 * variable).
 *
 * @throws {ConfigError} naming both sides and why.
 */
export function checkCombinations(
  config: Checked,
  given: ReadonlyMap<string, string>,
): void {
  const named = (key: Key) => given.get(key) ?? `--${SETTINGS[key].flag}`;
  const without = (key: Key, needs: Key, why: string) => {
    if (given.has(key) && !given.has(needs)) {
      throw new ConfigError(
        `Cannot use "${named(key)}" without "${named(needs)}": ${why}`,
      );
    }
  };
  without("certFile", "keyFile", "TLS needs the certificate's key");
  without("keyFile", "certFile", "TLS needs a certificate");
  if (given.has("jwtSecret") && given.has("jwtPublicKey")) {
    throw new ConfigError(
      `Cannot use "${named("jwtSecret")}" with "${named("jwtPublicKey")}": ` +
        "tokens are checked with one key",
    );
  }
  const keyless = !given.has("jwtSecret") && !given.has("jwtPublicKey");
  for (const key of ["jwtIssuer", "jwtAudience"] as const) {
    if (given.has(key) && keyless) {
      throw new ConfigError(
        `Cannot use "${named(key)}" without "--${SETTINGS.jwtSecret.flag}" ` +
          `or "--${SETTINGS.jwtPublicKey.flag}": no token is checked`,
      );
    }
  }
  const secret = config.jwtSecret;
  if (secret !== undefined) {
    const bytes = new TextEncoder().encode(secret).length;
    // The value is a secret: its length is named, never the value.
    if (bytes < MIN_SECRET_BYTES) {
      throw new ConfigError(
        `Cannot use "${named("jwtSecret")}": it is ${bytes} bytes, ` +
          `HS256 needs at least ${MIN_SECRET_BYTES}`,
      );
    }
  }
  if (given.has("rateBurst") && config.rateLimit === 0) {
    throw new ConfigError(
      `Cannot use "${named("rateBurst")}" without "${named("rateLimit")}": ` +
        "there is no rate to burst within",
    );
  }
  without(
    "presenceExpiry",
    "redis",
    "presence expires only in a Redis shared by several nodes",
  );
  const needed = config.queueSize * (config.maxMessageSize + 1);
  if (config.queueBytes < needed) {
    throw new ConfigError(
      `Cannot use "${named("queueBytes")}": "${config.queueBytes}" is less ` +
        `than ${named("queueSize")} x (${named("maxMessageSize")} + 1) = ` +
        `${needed}, so a full queue would not fit`,
    );
  }
  // A join that recovers is replayed up to the whole history; its events
  // take at most one and a half times what the history counts them as.
  if (config.queueBytes < 2 * config.historyBytes) {
    throw new ConfigError(
      `Cannot use "${named("queueBytes")}": "${config.queueBytes}" is less ` +
        `than twice ${named("historyBytes")} (${config.historyBytes}), so a ` +
        "join that recovers the whole history would not fit",
    );
  }
}
