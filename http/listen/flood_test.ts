/**
 * natter as a process under a flood of connections and a descriptor limit
 * far below it: it must stay up, keep the clients it admitted chatting
 * without loss, and serve again once the flood is over.
 *
 * @module
 */

import assert from "node:assert/strict";
import { chat, closeAll, freshClient } from "../../test_util/flood.ts";
import { ChatClient, deadline } from "../../test_util/natter.ts";
import { MAIN, NatterProcess, startFlags } from "../../test_util/process.ts";

const UNCAPPED =
  new URL("../../test_util/uncapped.ts", import.meta.url).pathname;

/** Attempts `count` connections at once; each settles open or refused. */
function attempt(url: string, count: number): Promise<ChatClient | null>[] {
  return Array.from(
    { length: count },
    () => ChatClient.open(url).catch(() => null),
  );
}

Deno.test("natter under ulimit -n 256 takes 400 connection attempts at once and serves again after", async () => {
  await using natter = await NatterProcess.underLimit(256, [
    ...startFlags(),
    MAIN,
  ]);
  const caps = await natter.stdout.find(/up to \d+ clients/, "the caps line");
  const cap = Number(/up to (\d+) clients/.exec(caps)![1]);
  const url = NatterProcess.wsUrl(natter.url);
  const settled = await deadline(
    Promise.all(attempt(url, 400)),
    "400 attempts to settle",
    30_000,
  );
  const admitted = settled.filter((c) => c !== null);
  try {
    assert.ok(
      admitted.length >= cap / 2 && admitted.length <= cap,
      `${admitted.length} admitted, cap ${cap}`,
    );
    await chat(admitted, "in");
    assert.ok(admitted.every((c) => c.socket.readyState === WebSocket.OPEN));
  } finally {
    await closeAll(admitted);
  }
  await freshClient(url);
  const page = await fetch(natter.url);
  await page.body?.cancel();
  assert.equal(page.status, 200);
  // One line per episode of refusals, not one per refused attempt.
  const full = natter.stderr.lines.filter((l) => /the most allowed/.test(l));
  assert.equal(full.length, 1, natter.stderr.text);
  const sockets = natter.stderr.lines.filter((l) =>
    /descriptors allow/.test(l)
  );
  assert.ok(sockets.length <= 1, natter.stderr.text);
  natter.child.kill("SIGTERM");
  assert.equal((await natter.exit()).code, 0);
});

Deno.test("natter out of descriptors keeps its clients and accepts again once some are free", async () => {
  // Without its caps, 150 attempts under ulimit -n 128 exhaust the
  // descriptors: the accept loop stops, the rest wait in the kernel's queue.
  await using natter = await NatterProcess.underLimit(128, [
    "--allow-all",
    UNCAPPED,
  ]);
  const url = NatterProcess.wsUrl(natter.url);
  const attempts = attempt(url, 150);
  await natter.stderr.find(/out of file descriptors/, "the exhaustion line");
  const first: ChatClient[] = [];
  for (const a of attempts) {
    a.then((c) => c && first.push(c));
  }
  // Those already in chat through the exhaustion.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const connected = [...first];
  assert.ok(connected.length > 0);
  await chat(connected, "meanwhile");
  // Descriptors come free: every attempt still waiting gets in.
  await closeAll(connected);
  const settled = await deadline(
    Promise.all(attempts),
    "every attempt to settle",
    30_000,
  );
  const late = settled.filter((c): c is ChatClient =>
    c !== null && !connected.includes(c)
  );
  try {
    assert.equal(connected.length + late.length, 150);
    await chat(late, "late");
  } finally {
    await closeAll(late);
  }
  await freshClient(url);
  // One line for the episode, and nothing else from natter: no error.
  const lines = natter.stderr.lines.filter((l) => l.startsWith("natter: "));
  assert.equal(lines.length, 1, natter.stderr.text);
  assert.match(lines[0], /out of file descriptors/);
  natter.child.kill("SIGTERM");
  assert.equal((await natter.exit()).code, 0);
});
