/**
 * What one of natter's settings is, as the table in `settings.ts` declares
 * it: its flag and variable, its kind of value and unit, its default and
 * range, its help; and the conversion from the unit a person gives it in to
 * the unit the program holds it in.
 *
 * @module
 */

/**
 * What a number counts. `seconds` and `milliseconds` convert into each
 * other with {@linkcode convert}; the others are only named.
 */
export type Unit =
  | "bytes"
  | "UTF-16 code units"
  | "seconds"
  | "milliseconds"
  | "per second"
  | "count"
  | "port";

/** The sections settings are listed in, in `--help` and the flag reference. */
export type Group =
  | "listen"
  | "connections"
  | "rooms"
  | "scale-out"
  | "tokens"
  | "limits"
  | "operations"
  | "fixed";

/** Each {@linkcode Group}'s title, in the order they are listed. */
export const GROUPS: Readonly<Record<Group, string>> = {
  listen: "Listening",
  connections: "Connections",
  rooms: "Rooms and history",
  "scale-out": "Several nodes",
  tokens: "Tokens",
  limits: "Limits",
  operations: "Operations",
  fixed: "Fixed (no flag)",
};

/** What every setting declares, whatever its value. */
interface Common {
  /**
   * The flag without its dashes (`max-rooms`). A setting without one is
   * fixed: the program uses its default, and only its options can change it.
   */
  readonly flag?: string;
  /** The environment variable that is the flag's twin (`NATTER_MAX_ROOMS`). */
  readonly env?: string;
  /** A one-letter alias of the flag (`h` for `-h`). */
  readonly short?: string;
  /** Where `--help` and the flag reference list it. */
  readonly group: Group;
  /** What it does, in a few words, lower case, without its default. */
  readonly help: string;
  /** The placeholder `--help` shows for its value (`HOST` in `--hostname HOST`). */
  readonly arg?: string;
  /**
   * How the default reads where the value does not say it: unset, it means
   * "what the file descriptor limit allows"; "" means "in memory".
   */
  readonly defaultNote?: string;
}

/** A whole number, checked against its range. */
export interface IntegerSetting extends Common {
  /** The kind of value. */
  readonly type: "integer";
  /** The unit it is given in, by flag or variable, and declared in. */
  readonly unit: Unit;
  /**
   * The unit the program holds it in, when not {@linkcode unit}: the value
   * given is converted once, by {@linkcode convert}.
   */
  readonly stored?: Unit;
  /** The value without flag or variable, in {@linkcode unit}. */
  readonly default?: number;
  /** The least value taken, in {@linkcode unit}. */
  readonly min?: number;
  /** The greatest value taken, in {@linkcode unit}. */
  readonly max?: number;
  /** What 0 means where it is special: "no limit", "never". */
  readonly zero?: string;
}

/** A string that is not empty. */
export interface StringSetting extends Common {
  /** The kind of value. */
  readonly type: "string";
  /** The value without flag or variable. */
  readonly default?: string;
  /** The fewest UTF-8 bytes it may have (a secret's strength). */
  readonly minBytes?: number;
}

/** Several strings: the flag repeated, or the variable comma-separated. */
export interface ListSetting extends Common {
  /** The kind of value. */
  readonly type: "list";
  /** The value without flag or variable. */
  readonly default: readonly string[];
}

/** One of a few words. */
export interface ChoiceSetting extends Common {
  /** The kind of value. */
  readonly type: "choice";
  /** The words taken. */
  readonly choices: readonly string[];
  /** The value without flag or variable. */
  readonly default: string;
}

/** A URL of one of a few schemes, with a host. */
export interface UrlSetting extends Common {
  /** The kind of value. */
  readonly type: "url";
  /** The schemes taken, as `URL.protocol` spells them (`redis:`). */
  readonly protocols: readonly string[];
  /** The value without flag or variable; "" for none. */
  readonly default?: string;
}

/**
 * A listen address, `:port` or `host:port`: it sets the settings `hostname`
 * and `port`, which override its parts.
 */
export interface AddressSetting extends Common {
  /** The kind of value. */
  readonly type: "address";
}

/** A flag that takes no value. */
export interface BooleanSetting extends Common {
  /** The kind of value. */
  readonly type: "boolean";
  /** The value without the flag. */
  readonly default: boolean;
}

/** One setting, declared once in the table of `settings.ts`. */
export type Setting =
  | IntegerSetting
  | StringSetting
  | ListSetting
  | ChoiceSetting
  | UrlSetting
  | AddressSetting
  | BooleanSetting;

/** Milliseconds in one of each unit of time. */
const MILLISECONDS: Partial<Record<Unit, number>> = {
  seconds: 1000,
  milliseconds: 1,
};

/**
 * Converts `value` from one unit to another; only units of time convert.
 *
 * @example
 * ```ts
 * convert(10, "seconds", "milliseconds"); // 10000
 * ```
 *
 * @throws {RangeError} for units that do not convert into each other.
 */
export function convert(value: number, from: Unit, to: Unit): number {
  if (from === to) return value;
  const a = MILLISECONDS[from];
  const b = MILLISECONDS[to];
  if (a === undefined || b === undefined) {
    throw new RangeError(`Cannot convert "${from}" to "${to}"`);
  }
  return value * a / b;
}

/**
 * The value the program holds for `value` given to `setting`: an integer
 * converted to its stored unit, anything else as it is.
 *
 * @example
 * ```ts
 * const writeWait = {
 *   type: "integer",
 *   unit: "seconds",
 *   stored: "milliseconds",
 *   group: "connections",
 *   help: "drop a peer whose socket does not drain for this long",
 * } as const;
 * inProgram(writeWait, 10); // 10000
 * ```
 */
export function inProgram<T>(setting: Setting, value: T): T {
  if (setting.type !== "integer" || setting.stored === undefined) return value;
  return convert(value as number, setting.unit, setting.stored) as T;
}

/** The value a setting's declaration makes the program hold. */
export type ValueOf<S> = S extends { readonly type: "integer" } ? number
  : S extends { readonly type: "boolean" } ? boolean
  : S extends { readonly type: "list" } ? readonly string[]
  : S extends
    { readonly type: "choice"; readonly choices: readonly (infer C)[] } ? C
  : string;

/**
 * The defaults of a table of settings, by key: every setting that declares
 * one, in the unit the program holds it in.
 */
export type Defaults<T> = {
  readonly [
    K in keyof T as T[K] extends { readonly default: unknown } ? K
      : never
  ]: ValueOf<T[K]>;
};

/** The keys of the settings of a table that have a flag. */
export type FlagKeys<T> = {
  [K in keyof T]: T[K] extends { readonly flag: string } ? K : never;
}[keyof T];

/**
 * The defaults of a table of settings, by key, in the unit the program
 * holds each in; frozen, lists too, as every user shares them.
 *
 * @example
 * ```ts
 * const table = {
 *   drainDelay: {
 *     type: "integer",
 *     unit: "seconds",
 *     stored: "milliseconds",
 *     default: 3,
 *     group: "operations",
 *     help: "how long /readyz answers 503 before clients are closed",
 *   },
 * } as const;
 * defaultsOf(table).drainDelay; // 3000
 * ```
 */
export function defaultsOf<T extends Record<string, Setting>>(
  table: T,
): Defaults<T> {
  const entries = Object.entries(table).flatMap(([key, setting]) => {
    if (!("default" in setting) || setting.default === undefined) return [];
    const value = inProgram(setting, setting.default);
    return [[key, Array.isArray(value) ? Object.freeze([...value]) : value]];
  });
  return Object.freeze(Object.fromEntries(entries)) as Defaults<T>;
}
