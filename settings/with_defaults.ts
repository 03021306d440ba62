/**
 * Resolving a component's options once: every setting the options leave
 * unset (absent or `undefined`) takes its default from the one table where
 * it is declared, so no component writes a default of its own.
 *
 * @module
 */

import { DEFAULTS } from "./settings.ts";

/** The defaults of every setting that has one, in the program's units. */
export type Resolved = typeof DEFAULTS;

/** The objects this module made, already holding every default. */
const RESOLVED = new WeakSet<object>();

/**
 * `options` with each setting it leaves unset taken from {@linkcode DEFAULTS}.
 * Fields that are not settings pass through as they are. What it returns is
 * returned again as it is, not copied: a server resolves its options once,
 * and each connection's parts read the same object.
 *
 * @example
 * ```ts
 * const options = withDefaults({ queueSize: 64, maxMessageSize: undefined });
 * options.queueSize; // 64
 * options.maxMessageSize; // 512, the declared default
 * ```
 */
export function withDefaults<T extends object>(
  options: T,
): Omit<T, keyof Resolved> & Resolved {
  type Out = Omit<T, keyof Resolved> & Resolved;
  if (RESOLVED.has(options)) return options as unknown as Out;
  const resolved: Record<string, unknown> = { ...DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) resolved[key] = value;
  }
  RESOLVED.add(resolved);
  return resolved as Out;
}
