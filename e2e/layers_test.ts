/**
 * The layers hold: walking the module graph of the program (main.ts) and of
 * its workers (cluster/worker.ts) as `deno info --json` reports it, every
 * module of natter's own belongs to a layer, imports nothing from a layer
 * above its own, and no import goes around in a circle.
 */

import assert from "node:assert/strict";
import { layerOf, LAYERS } from "./layers.ts";
import { moduleGraph, ROOT } from "./module_graph.ts";

const ENTRIES = ["main.ts", "cluster/worker.ts", "mod.ts"];

/** natter's own modules and what each imports, from the repository root. */
async function graph(): Promise<Map<string, string[]>> {
  const edges = new Map<string, string[]>();
  for (const entry of ENTRIES) {
    for (const [specifier, imports] of await moduleGraph(entry)) {
      if (!specifier.startsWith(ROOT)) continue;
      const to = imports
        .filter((s) => s.startsWith(ROOT))
        .map((s) => s.slice(ROOT.length));
      edges.set(specifier.slice(ROOT.length), [...new Set(to)]);
    }
  }
  return edges;
}

/** The imports that go up a layer, each as "from -> to". */
export function upward(edges: Map<string, string[]>): string[] {
  const found: string[] = [];
  for (const [from, imports] of edges) {
    for (const to of imports) {
      if (layerOf(to) > layerOf(from)) {
        const [a, b] = [LAYERS[layerOf(from)], LAYERS[layerOf(to)]];
        found.push(`${from} (${a?.name}) -> ${to} (${b?.name})`);
      }
    }
  }
  return found;
}

/** A circle of imports, as the modules around it, if there is one. */
export function circle(edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (module: string): string[] | undefined => {
    if (state.get(module) === "done") return undefined;
    if (state.get(module) === "open") {
      return [...path.slice(path.indexOf(module)), module];
    }
    state.set(module, "open");
    path.push(module);
    for (const next of edges.get(module) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(module, "done");
    return undefined;
  };
  for (const module of edges.keys()) {
    const found = visit(module);
    if (found) return found;
  }
  return undefined;
}

Deno.test("every module of the program belongs to a layer", async () => {
  const edges = await graph();
  assert.ok(edges.has("hub.ts") && edges.has("client.ts"), "the graph is read");
  const unmapped = [...edges.keys()].filter((m) => layerOf(m) === -1);
  assert.deepEqual(unmapped, [], "modules that no layer names");
});

Deno.test("no module imports from a layer above its own", async () => {
  assert.deepEqual(upward(await graph()), []);
});

Deno.test("no imports go around in a circle", async () => {
  const found = circle(await graph());
  assert.equal(found, undefined, `a circle: ${found?.join(" -> ")}`);
});

Deno.test("upward() and circle() find what they are for", () => {
  const bad = new Map([
    ["room/intake.ts", ["ops/api.ts"]],
    ["ops/api.ts", ["room/intake.ts"]],
  ]);
  assert.deepEqual(upward(bad), [
    "room/intake.ts (rooms) -> ops/api.ts (surface)",
  ]);
  assert.deepEqual(circle(bad), [
    "room/intake.ts",
    "ops/api.ts",
    "room/intake.ts",
  ]);
  assert.equal(circle(new Map([["a.ts", ["b.ts"]], ["b.ts", []]])), undefined);
});
