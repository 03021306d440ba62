/**
 * natter's log: every line on stderr, readable text by default
 * (`natter: message`) or one JSON object a line (`--log-format json`) with a
 * level, a message, a time and the event's fields. Built on LogTape.
 *
 * @module
 */

import {
  configureSync,
  getJsonLinesFormatter,
  getLogger,
  type LogLevel,
  type LogRecord,
  resetSync,
} from "@logtape/logtape";

/** The fields an event may carry: event, client, room, code, reason... */
export type LogFields = Record<string, unknown>;

/** Where natter's parts report: a message, its fields, and how much it matters. */
export type Log = (
  message: string,
  fields?: LogFields,
  level?: "debug" | "info" | "warning" | "error",
) => void;

/** The log formats `--log-format` takes. */
export const LOG_FORMATS = ["text", "json"] as const;
/** The levels `--log-level` takes, least severe first. */
export const LOG_LEVELS = ["debug", "info", "warning", "error"] as const;

/** Options for {@linkcode setUpLogging}. */
export interface LogOptions {
  /**
   * `text`: `natter: message` lines; `json`: one JSON object a line.
   * @default {"text"}
   */
  format?: (typeof LOG_FORMATS)[number];
  /**
   * The least severe level written.
   * @default {"info"}
   */
  level?: LogLevel;
  /** Where lines go; tests replace it. */
  write?: (line: string) => void;
}

const encoder = new TextEncoder();

/**
 * Characters that would end a line or play tricks on a terminal: the
 * controls U+0000-U+001F and U+0080-U+009F, DEL, the Unicode line and paragraph separators, and the
 * backslash that introduces an escape.
 */
// Matching control characters is the point here.
// deno-lint-ignore no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\\]/g;
const NAMED: Record<string, string> = {
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\\": "\\\\",
};

/**
 * `text` with every character that could break or forge a log line
 * escaped, so that text a peer chose (a close reason, a nick) stays on its
 * own line: `\n`, `\r`, `\t`, `\\`, `\u00XX` and `\u2028`.
 *
 * @example
 * ```ts
 * escapeLogText("bye\nnatter: forged"); // "bye\\nnatter: forged"
 * ```
 */
export function escapeLogText(text: string): string {
  return text.replace(UNSAFE, (char) =>
    NAMED[char] ??
      `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A line of readable text: the message alone, as natter always wrote it. */
function textLine(record: LogRecord): string {
  return `natter: ${escapeLogText(record.message.map(String).join(""))}\n`;
}

/**
 * JSON escapes the controls U+0000-U+001F but not U+0080-U+009F, nor
 * U+2028 and U+2029, which some readers take for line ends: these are
 * escaped as well, which leaves the JSON's meaning as it was.
 */
function jsonLine(
  format: (record: LogRecord) => string,
): (record: LogRecord) => string {
  return (record) =>
    format(record).replace(
      /[\x7f-\x9f\u2028\u2029]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
}

/**
 * Sends natter's log to stderr in the chosen format and returns the
 * {@linkcode Log} to hand to every part.
 *
 * @example
 * ```ts
 * const log = setUpLogging({ format: "json" });
 * log("client evicted", { event: "evicted", client: "ab12-3" }, "warning");
 * ```
 */
export function setUpLogging(options: LogOptions = {}): Log {
  const write = options.write ??
    ((line: string) => Deno.stderr.writeSync(encoder.encode(line)));
  const format = options.format === "json"
    ? jsonLine(getJsonLinesFormatter({ properties: "flatten" }))
    : textLine;
  resetSync();
  configureSync({
    sinks: { stderr: (record) => write(format(record)) },
    loggers: [
      {
        category: ["natter"],
        lowestLevel: options.level ?? "info",
        sinks: ["stderr"],
      },
      {
        category: ["logtape", "meta"],
        lowestLevel: "error",
        sinks: ["stderr"],
      },
    ],
  });
  const logger = getLogger(["natter"]);
  return (message, fields = {}, level = "info") => {
    // Braces in a message would be taken for placeholders.
    logger[level]("{message}", { ...fields, message });
  };
}
