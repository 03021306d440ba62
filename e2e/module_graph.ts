/**
 * The module graph `deno info --json` reports for an entry module, for the
 * tests that hold natter's structure: which modules the entry reaches and
 * what each imports, every specifier resolved.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

/** The repository's root, as the specifiers of its modules begin. */
export const ROOT: string = new URL("../", import.meta.url).href;

interface Info {
  modules: {
    specifier: string;
    dependencies?: {
      code?: { specifier?: string };
      type?: { specifier?: string };
    }[];
  }[];
}

/**
 * Every module `entry` (a path from the root) reaches, with the specifiers
 * it imports, code and types alike.
 *
 * @example
 * ```ts
 * const edges = await moduleGraph("sdk/mod.ts");
 * edges.has(`${ROOT}sdk/mod.ts`); // true
 * ```
 */
export async function moduleGraph(
  entry: string,
): Promise<Map<string, string[]>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: fileURLToPath(ROOT),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.ok(output.success, `deno info ${entry} failed: ${stderr}`);
  const info: Info = JSON.parse(new TextDecoder().decode(output.stdout));
  return new Map(info.modules.map((module) => [
    module.specifier,
    (module.dependencies ?? []).flatMap((d) =>
      [d.code?.specifier, d.type?.specifier].filter(
        (s): s is string => s !== undefined,
      )
    ),
  ]));
}
