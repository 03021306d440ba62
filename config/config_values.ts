/**
 * Parsing one configuration value: an address, an integer in range, one of a
 * list, a Redis URL, a string that is not empty; each refused with a
 * {@linkcode ConfigError} whose message is for the user.
 *
 * @module
 */

/** A configuration value that cannot be used; its message is for the user. */
export class ConfigError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
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

/** `value` unless it is empty, which no string setting takes. */
export function nonEmpty(label: string, value: string): string {
  if (value.trim() !== "") return value;
  throw new ConfigError(`Cannot use "${label}": "${value}" is empty`);
}

/** `value` if it is one of `choices`; a {@linkcode ConfigError} otherwise. */
export function oneOf<T extends string>(
  label: string,
  value: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(
    `Cannot use "${label}": "${value}" is not one of ${choices.join(", ")}`,
  );
}

/** Checks a Redis URL: `redis://` or `rediss://`, with a host. */
export function parseRedisUrl(label: string, value: string): string {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`Cannot parse "${label}": "${value}" is not a URL`);
  }
  if (!["redis:", "rediss:"].includes(url.protocol) || url.hostname === "") {
    throw new ConfigError(
      `Cannot use "${label}": "${value}" is not a redis:// or rediss:// URL with a host`,
    );
  }
  return value;
}

export function parseInteger(
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
