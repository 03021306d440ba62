/**
 * End-to-end test of `--drain-window` in the real program: `main.ts` run by
 * `deno run` as a subprocess, on one thread and on several, stopped with
 * SIGTERM.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ChatClient, deadline } from "../test_util/natter.ts";
import { MAIN, NatterProcess, startFlags } from "../test_util/process.ts";

Deno.test("main() closes every client with 1012 over --drain-window on SIGTERM, and exits 0", async (t) => {
  for (const workers of ["1", "2"]) {
    await t.step(`--workers ${workers}`, async () => {
      await using natter = await NatterProcess.start(Deno.execPath(), [
        "run",
        ...startFlags(),
        MAIN,
        "--drain-window",
        "1",
        "--workers",
        workers,
      ]);
      // 200 clients over 1 s go in 8 batches of 25, 100 ms apart; split
      // between two workers, at least 4 batches on one of them.
      const url = NatterProcess.wsUrl(natter.url);
      const clients = await Promise.all(
        Array.from({ length: 200 }, () => ChatClient.open(url)),
      );
      const closes = Promise.all(clients.map(async (client) => {
        const event = await client.closed;
        return { code: event.code, reason: event.reason, at: Date.now() };
      }));
      natter.child.kill("SIGTERM");
      const events = await deadline(closes, "every client to be closed");
      for (const { code, reason } of events) {
        assert.deepEqual({ code, reason }, {
          code: 1012,
          reason: "service restart",
        });
      }
      const times = events.map((e) => e.at);
      const spread = Math.max(...times) - Math.min(...times);
      assert.ok(spread >= 250, `all closed within ${spread} ms`);
      const { code, stderr } = await natter.output();
      assert.equal(code, 0, stderr.join("\n"));
      assert.ok(
        !stderr.some((line) => line.includes("gave up waiting")),
        stderr.join("\n"),
      );
    });
  }
});
