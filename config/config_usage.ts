/**
 * natter's flags as the user sees them, from the table of settings: the
 * flags and their environment variable twins, and the `--help` text.
 *
 * @module
 */

import {
  DEFAULTS,
  type FlagKey,
  GROUPS,
  type Setting,
  SETTINGS,
} from "../settings/settings.ts";
import {
  defaultText,
  flagText,
  rangeText,
  typeText,
  zeroText,
} from "./setting_text.ts";

/** A setting with a flag, with the key of the `Config` field it sets. */
export interface Flag {
  /** The key of the setting (`maxRooms`). */
  readonly key: FlagKey;
  /** Its declaration. */
  readonly setting: Setting & { readonly flag: string };
}

/** Every setting that has a flag, in the table's order. */
export const FLAGS: readonly Flag[] = Object.entries(
  SETTINGS as Record<string, Setting>,
).flatMap(([key, setting]) =>
  setting.flag === undefined
    ? []
    : [{ key: key as FlagKey, setting: { ...setting, flag: setting.flag } }]
);

/** The environment variables natter reads, each the twin of a flag. */
export const ENV_VARS: readonly string[] = FLAGS.flatMap(({ setting }) =>
  setting.env === undefined ? [] : [setting.env]
);

/** Where descriptions start, and how wide lines may be. */
const COLUMN = 25;
const WIDTH = 80;

/** The `--help` text. */
export const USAGE: string = usage();

function usage(): string {
  const lines = [
    "Usage: natter [flags]",
    "",
    "A WebSocket chat server: open " +
    `http://localhost:${DEFAULTS.port}/ in two tabs and chat.`,
    "",
    "Each flag is also read from the environment variable in brackets;",
    "flags win.",
  ];
  for (const [group, title] of Object.entries(GROUPS)) {
    const flags = FLAGS.filter(({ setting }) => setting.group === group);
    if (flags.length === 0) continue;
    lines.push("", `${title}:`);
    for (const { setting } of flags) lines.push(...entry(setting));
  }
  return lines.join("\n") + "\n";
}

/**
 * One flag's lines: the flag, then beside it its help and, in brackets,
 * its unit, its choices, its default and what 0 means.
 */
function entry(setting: Setting): string[] {
  const notes = [];
  if (setting.type === "integer" && !["count", "port"].includes(setting.unit)) {
    notes.push(setting.unit);
  }
  if (setting.type === "choice") notes.push(typeText(setting));
  if (setting.type === "list") notes.push("repeatable");
  // An integer's range is in its errors and the flag reference; here only
  // a bound that is part of the meaning (a secret's length).
  const range = rangeText(setting);
  if (range !== undefined && setting.type !== "integer") notes.push(range);
  const fallback = defaultText(setting);
  const zero = zeroText(setting);
  if (fallback === "0" && zero !== undefined) {
    // "default 0: no limit" rather than "default 0; 0: no limit".
    notes.push(`default ${zero}`);
  } else {
    const colon = setting.defaultNote === undefined ? "" : ":";
    if (fallback !== undefined) notes.push(`default${colon} ${fallback}`);
    if (zero !== undefined) notes.push(zero);
  }
  let text = setting.help;
  if (notes.length > 0) text += ` (${notes.join("; ")})`;
  if (setting.env !== undefined) {
    const split = setting.type === "list" ? ", comma-separated" : "";
    text += ` [${setting.env}${split}]`;
  }
  return wrap(`  ${flagText(setting)}`, text);
}

/** Lays `text` out beside `left`, in lines no wider than the help's. */
function wrap(left: string, text: string): string[] {
  const lines = [];
  let line = left.length + 2 > COLUMN ? left + "  " : left.padEnd(COLUMN, " ");
  let empty = true;
  for (const word of text.split(" ")) {
    if (!empty && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = " ".repeat(COLUMN);
      empty = true;
    }
    line += (empty ? "" : " ") + word;
    empty = false;
  }
  lines.push(line);
  return lines;
}
