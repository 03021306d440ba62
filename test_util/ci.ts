/**
 * Test helpers: whether this run is CI, where a missing tool (Chromium,
 * redis-server) fails its tests instead of skipping them.
 *
 * @module
 */

/**
 * Whether a `CI` value says this is a CI run. CI services set it to `true`,
 * `1` or a name of their own, so anything but unset, empty, `false` or `0`
 * counts.
 */
export function ciValueSaysCI(value: string | undefined): boolean {
  const ci = value?.trim().toLowerCase() ?? "";
  return ci !== "" && ci !== "false" && ci !== "0";
}

/** Whether this run is CI, by the `CI` environment variable. */
export function isCI(): boolean {
  return ciValueSaysCI(Deno.env.get("CI"));
}
