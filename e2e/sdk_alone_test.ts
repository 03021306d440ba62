/**
 * The client library stands alone: walking its module graph from
 * `sdk/mod.ts` as `deno info --json` reports it, every module is in `sdk/`
 * and imports nothing else (no module of the server, no npm, JSR, Node or
 * remote module). The terminal chat, on top of it, reaches no package
 * either, and every module of natter's own that it reaches has a layer.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ALONE, layerOf } from "./layers.ts";

const ROOT = new URL("../", import.meta.url).href;

interface Info {
  modules: {
    specifier: string;
    dependencies?: {
      code?: { specifier?: string };
      type?: { specifier?: string };
    }[];
  }[];
}

/** Every module `entry` reaches, with what each one imports (resolved). */
async function graph(entry: string): Promise<Map<string, string[]>> {
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

Deno.test("each standalone folder's entry reaches nothing outside the folder", async () => {
  for (const folder of ALONE) {
    const edges = await graph(`${folder}mod.ts`);
    assert.ok(edges.size > 1, `the graph of ${folder}mod.ts is read`);
    const inside = (s: string) => s.startsWith(ROOT + folder);
    const outside = [...edges].flatMap(([from, to]) =>
      [from, ...to].filter((s) => !inside(s)).map((s) => `${from} -> ${s}`)
    );
    assert.deepEqual(outside, [], `${folder} imports from outside itself`);
  }
});

Deno.test("the terminal chat reaches no package, and only modules with a place", async () => {
  const edges = await graph("examples/chat.ts");
  const modules = new Set([...edges.values()].flat().concat([...edges.keys()]));
  const foreign = [...modules].filter((s) => !s.startsWith(ROOT));
  assert.deepEqual(foreign, [], "no npm, JSR, Node or remote module");
  const placeless = [...modules]
    .map((s) => s.slice(ROOT.length))
    .filter((p) => layerOf(p) === -1 && !ALONE.some((f) => p.startsWith(f)));
  assert.deepEqual(placeless, []);
});
