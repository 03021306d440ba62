/**
 * natter without the caps `main.ts` derives from the descriptor limit, so
 * that a test can drive it out of descriptors: what happens when something
 * else in the process uses them up. It prints the start-up line that
 * {@linkcode NatterProcess.start} waits for, and logs as `main.ts` does.
 *
 *   deno run --allow-all test_util/uncapped.ts
 *
 * @module
 */

import { serve } from "../server.ts";

// As main.ts does, before listening: Deno sets up its signal handling on
// first use, and at that moment it needs a descriptor (or it panics).
const stopped = new Promise<void>((resolve) => {
  Deno.addSignalListener("SIGTERM", () => resolve());
  Deno.addSignalListener("SIGINT", () => resolve());
});
const natter = serve({
  hostname: "127.0.0.1",
  port: 0,
  log: (line) => console.error(`natter: ${line}`),
  onListen: (addr) =>
    console.log(
      `natter: listening on http://127.0.0.1:${addr.port}/ (without caps)`,
    ),
});
await stopped;
await natter.shutdown();
Deno.exit(0);
