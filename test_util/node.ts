/**
 * Test helpers: natter nodes sharing a Redis, each `main.ts` run as
 * `deno task start` runs it, as its own process.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import denoJson from "../deno.json" with { type: "json" };
import { DEADLINE_MS } from "./natter.ts";
import { NatterProcess } from "./process.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
/** Where `deno task start` runs: the repository. */
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The flags of `deno task start` between `deno run` and `main.ts`. */
function startFlags(): string[] {
  const words = denoJson.tasks.start.split(/\s+/);
  return words.slice(2, -1);
}

/** A natter node: a process, and where it listens. */
export type Node = NatterProcess & { url: URL };

/** Starts a node using the Redis at `redis`, with more flags in `args`. */
export function startNode(redis: string, args: string[] = []): Promise<Node> {
  return NatterProcess.start(Deno.execPath(), [
    "run",
    ...startFlags(),
    MAIN,
    "--redis",
    redis,
    ...args,
  ], { cwd: ROOT });
}

/** The `ws://` URL of a node's endpoint, for `room` when given (plain). */
export function wsUrl(node: Node, room?: string): string {
  return NatterProcess.wsUrl(node.url) + (room ? `/${room}` : "");
}

/** The status of a node's `/readyz`. */
export async function readyz(node: Node): Promise<number> {
  const response = await fetch(new URL("/readyz", node.url));
  await response.body?.cancel();
  return response.status;
}

/**
 * Polls `/readyz` every 100 ms until it answers `status`.
 *
 * @returns how many milliseconds that took.
 */
export async function untilReadyz(
  node: Node,
  status: number,
  ms = DEADLINE_MS,
): Promise<number> {
  const start = Date.now();
  let last = 0;
  for (let i = 0; Date.now() - start < ms && i < ms / 50; i++) {
    last = await readyz(node);
    if (last === status) return Date.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`/readyz answered ${last}, not ${status}, for ${ms} ms`);
}
