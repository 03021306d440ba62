/**
 * The flag reference, `docs/flags.md`, rendered from the table of settings.
 * Run as a program it writes the file: `deno task flags:doc`.
 *
 * @module
 */

import { GROUPS, type Setting, SETTINGS } from "../settings/settings.ts";
import {
  defaultText,
  flagText,
  rangeText,
  typeText,
  zeroText,
} from "./setting_text.ts";

/** Where the reference lives, from the repository's root. */
export const FLAGS_DOC = "docs/flags.md";

const INTRO = `# natter's flags

This file is generated from the table in \`settings/settings.ts\` by
\`config/flags_doc.ts\`: do not edit it by hand. After changing a setting, run
\`deno task flags:doc\`; \`config/flags_doc_test.ts\` fails while this file and the
table differ.

Each flag is also read from its environment variable; a flag wins over its
variable, and an empty variable counts as unset. A flag given twice takes its
last value, except a list, which takes them all (its variable separates them
with commas). Numbers are given in the unit of their type; a value out of its
range, or settings that cannot work together, stop natter at start with one line
on stderr and exit code 2.`;

// Prose is wrapped at 80 columns, as \`deno fmt\` wraps it.
const FIXED =
  `The settings below have no flag: natter runs with these values, and only the
options of \`serve\`, the Hub or a Client change them. Their defaults are in
\`DEFAULTS\` too, in the unit shown.`;

/**
 * The markdown of the flag reference: an introduction, then a table of the
 * flags of each group, then the settings that have no flag.
 *
 * @example
 * ```ts
 * renderFlagsDoc().startsWith("# natter's flags"); // true
 * ```
 */
export function renderFlagsDoc(): string {
  const parts = [INTRO];
  const settings = Object.values(SETTINGS as Record<string, Setting>);
  for (const [group, title] of Object.entries(GROUPS)) {
    const members = settings.filter((setting) => setting.group === group);
    if (members.length === 0) continue;
    parts.push(`## ${title}`);
    if (group === "fixed") {
      parts.push(FIXED, fixedTable(SETTINGS, group));
    } else {
      parts.push(table(
        ["Flag", "Variable", "Type", "Default", "Range", "Meaning"],
        members.map((setting) => [
          code(flagText(setting)),
          setting.env === undefined ? "" : code(setting.env),
          typeText(setting),
          shownDefault(setting),
          rangeText(setting) ?? "",
          meaning(setting),
        ]),
      ));
    }
  }
  return parts.join("\n\n") + "\n";
}

/** The table of the settings without a flag, named by their key. */
function fixedTable(
  settings: Record<string, Setting>,
  group: string,
): string {
  const rows = Object.entries(settings)
    .filter(([, setting]) => setting.group === group)
    .map(([key, setting]) => [
      code(key),
      typeText(setting),
      shownDefault(setting),
      meaning(setting),
    ]);
  return table(["Setting", "Type", "Default", "Meaning"], rows);
}

/** The default as the reference shows it: a value in code, a note in words. */
function shownDefault(setting: Setting): string {
  const text = defaultText(setting);
  if (text === undefined) return setting.type === "boolean" ? "" : "unset";
  return setting.defaultNote === undefined ? code(text) : text;
}

/** The help, with what 0 means and how a list is given. */
function meaning(setting: Setting): string {
  const notes = [setting.help];
  const zero = zeroText(setting);
  if (zero !== undefined) notes.push(zero);
  if (setting.type === "list") {
    notes.push("repeatable, comma-separated in the variable");
  }
  return notes.join("; ");
}

/** `text` as inline code; "" stays "". */
function code(text: string): string {
  return text === "" ? "" : `\`${text}\``;
}

/**
 * A markdown table with its columns padded, as `deno fmt` lays one out, so
 * that the file it writes is already formatted.
 */
function table(header: string[], rows: string[][]): string {
  const cells = [header, ...rows].map((row) =>
    row.map((cell) => cell.replaceAll("|", "\\|"))
  );
  const widths = header.map((_, i) =>
    Math.max(3, ...cells.map((row) => row[i].length))
  );
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  const rule = `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join("\n");
}

if (import.meta.main) {
  const path = new URL(`../${FLAGS_DOC}`, import.meta.url);
  await Deno.writeTextFile(path, renderFlagsDoc());
  console.log(`Wrote ${FLAGS_DOC}`);
}
