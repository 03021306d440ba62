/**
 * The client library stands alone: walking its module graph from
 * `sdk/mod.ts` as `deno info --json` reports it, every module is in `sdk/`
 * and imports nothing else (no module of the server, no npm, JSR, Node or
 * remote module). The terminal chat, on top of it, reaches no package
 * either, and every module of natter's own that it reaches has a layer.
 */

import assert from "node:assert/strict";
import { ALONE, layerOf } from "./layers.ts";
import { moduleGraph as graph, ROOT } from "./module_graph.ts";
import { ERROR_CODES, type ErrorCode } from "../sdk/errors.ts";
import type { ErrorCode as ServerCode } from "../protocol/events.ts";

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

Deno.test("the client library knows the server's error codes, no more and no fewer", () => {
  // Each side's type must take the other's: this fails to type-check when
  // the server gains or loses a code the client does not.
  const fromServer = (code: ServerCode): ErrorCode => code;
  const fromClient = (code: ErrorCode): ServerCode => code;
  const all: Record<ServerCode, true> = {
    bad_request: true,
    unknown_type: true,
    invalid_room: true,
    invalid_nick: true,
    not_joined: true,
    already_joined: true,
    too_big: true,
    room_full: true,
    too_many_rooms: true,
    rate_limited: true,
    unauthorized: true,
    forbidden: true,
    unavailable: true,
  };
  assert.deepEqual(
    [...ERROR_CODES].sort(),
    (Object.keys(all) as ServerCode[]).map(fromServer).map(fromClient).sort(),
  );
});
