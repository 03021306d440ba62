/**
 * How a setting reads to a person, in `--help` and in the flag reference:
 * its flag with the placeholder of its value, its kind and unit, its
 * default, its range, and what 0 means where that is special.
 *
 * @module
 */

import type { Setting } from "../settings/settings.ts";

/**
 * The flag as typed, with the placeholder of its value: `--port PORT`,
 * `--idle-timeout S`, `-h, --help`.
 */
export function flagText(setting: Setting): string {
  if (setting.flag === undefined) return "";
  const short = setting.short === undefined ? "" : `-${setting.short}, `;
  const arg = placeholder(setting);
  return `${short}--${setting.flag}${arg === "" ? "" : " " + arg}`;
}

/** The placeholder of a flag's value: declared, or `S` for seconds, `N`. */
function placeholder(setting: Setting): string {
  if (setting.type === "boolean") return "";
  if (setting.arg !== undefined) return setting.arg;
  return setting.type === "integer" && setting.unit === "seconds" ? "S" : "N";
}

/** The kind of value and its unit: "integer, seconds", "one of text, json". */
export function typeText(setting: Setting): string {
  switch (setting.type) {
    case "integer":
      return `integer, ${setting.unit}`;
    case "choice":
      return `one of ${setting.choices.join(", ")}`;
    case "url":
      return `URL, ${setting.protocols.map((p) => `${p}//`).join(" or ")}`;
    case "address":
      return ":port or host:port";
    case "list":
      return "list of strings";
    case "boolean":
      return "no value";
    case "string":
      return "string";
  }
}

/**
 * The default as a person reads it, in the setting's own unit: "60",
 * "0.0.0.0", or the declared note ("the rate"); `undefined` for a setting
 * unset by default.
 */
export function defaultText(setting: Setting): string | undefined {
  if (setting.defaultNote !== undefined) return setting.defaultNote;
  if (setting.type === "boolean" || setting.type === "address") return;
  const value = setting.default;
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(", ") : String(value);
}

/** The values taken where they are bounded: "1 to 1000", "at least 32 bytes". */
export function rangeText(setting: Setting): string | undefined {
  if (setting.type === "string" && setting.minBytes !== undefined) {
    return `at least ${setting.minBytes} bytes`;
  }
  if (setting.type !== "integer") return undefined;
  const { min, max } = setting;
  if (min === undefined && max === undefined) return undefined;
  if (max === undefined) return `at least ${min}`;
  return min === undefined ? `at most ${max}` : `${min} to ${max}`;
}

/** What 0 means, where that is special: "0: no limit". */
export function zeroText(setting: Setting): string | undefined {
  return setting.type === "integer" && setting.zero !== undefined
    ? `0: ${setting.zero}`
    : undefined;
}
