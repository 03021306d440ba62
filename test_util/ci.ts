/**
 * Test helpers: whether this run is CI, where a missing tool (Chromium,
 * redis-server) fails its tests instead of skipping them.
 *
 * @module
 */

/**
 * Whether `CI` says this is a CI run. CI services set it to `true`, `1` or a
 * name of their own, so anything but empty, `false` or `0` counts.
 */
export function isCI(value = Deno.env.get("CI")): boolean {
  const ci = value?.trim().toLowerCase() ?? "";
  return ci !== "" && ci !== "false" && ci !== "0";
}
