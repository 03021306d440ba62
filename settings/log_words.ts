/**
 * The words `--log-format` and `--log-level` take. They are written here,
 * beside the settings that declare them, so that the settings' table loads
 * nothing; `settings_test.ts` checks them against util/log.ts.
 *
 * @module
 */

import type { LOG_FORMATS, LOG_LEVELS } from "../util/log.ts";

type Format = (typeof LOG_FORMATS)[number];
type Level = (typeof LOG_LEVELS)[number];

/**
 * The log formats.
 *
 * @example
 * ```ts
 * FORMATS.includes("json"); // true
 * ```
 */
export const FORMATS = ["text", "json"] as const satisfies readonly Format[];

/**
 * The log levels, least severe first.
 *
 * @example
 * ```ts
 * LEVELS[0]; // "debug"
 * ```
 */
export const LEVELS = [
  "debug",
  "info",
  "warning",
  "error",
] as const satisfies readonly Level[];
