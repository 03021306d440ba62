/**
 * Parsing one configuration value as its setting declares it: an address,
 * an integer in range, one of a list, a URL, a list, a string that is not
 * empty; each refused with a {@linkcode ConfigError} whose message is for
 * the user.
 *
 * @module
 */

import { inProgram, type Setting } from "../settings/settings.ts";

/** A configuration value that cannot be used; its message is for the user. */
export class ConfigError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** What a flag or variable gave: a flag repeated gives several values. */
export type Raw = string | readonly string[];

/**
 * The value `raw` gives `setting`, in the unit the program holds it in;
 * `label` (the flag or the variable) names it in errors. An address gives
 * the `hostname` and `port` it names.
 *
 * @example
 * ```ts
 * import { SETTINGS } from "../settings/settings.ts";
 *
 * parseValue(SETTINGS.writeWait, "--write-wait", "3"); // 3000
 * ```
 *
 * @throws {ConfigError} quoting `label` and the value.
 */
export function parseValue(setting: Setting, label: string, raw: Raw): unknown {
  // A flag repeated: the last one wins, but a list takes them all.
  const one = typeof raw === "string" ? raw : raw.at(-1) ?? "";
  switch (setting.type) {
    case "integer":
      return inProgram(
        setting,
        parseInteger(label, one, setting.min ?? 0, setting.max ?? Infinity),
      );
    case "string":
      return nonEmpty(label, one);
    case "list":
      return (typeof raw === "string" ? raw.split(",") : raw)
        .map((item) => item.trim())
        .filter((item) => item !== "");
    case "choice":
      return oneOf(label, one, setting.choices);
    case "url":
      return parseUrl(label, one, setting.protocols);
    case "address":
      return parseAddr(label, one);
    case "boolean":
      throw new TypeError(`Cannot parse "${label}": it takes no value`);
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
  value: string,
  choices: readonly T[],
): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(
    `Cannot use "${label}": "${value}" is not one of ${choices.join(", ")}`,
  );
}

/** Checks a URL: one of `protocols` (`redis:`), with a host. */
export function parseUrl(
  label: string,
  value: string,
  protocols: readonly string[],
): string {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`Cannot parse "${label}": "${value}" is not a URL`);
  }
  if (!protocols.includes(url.protocol) || url.hostname === "") {
    const schemes = protocols.map((scheme) => `${scheme}//`).join(" or ");
    throw new ConfigError(
      `Cannot use "${label}": "${value}" is not a ${schemes} URL with a host`,
    );
  }
  return value;
}

/** Parses a whole number from `min` to `max`. */
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
