import assert from "node:assert/strict";
import { logProblems, rssMiB } from "./health.ts";

Deno.test("logProblems() passes info and warning lines of misbehaving clients", () => {
  assert.deepEqual(
    logProblems([
      '{"level":"INFO","message":"client closed by server: 1008 too many bad commands"}',
      '{"level":"WARN","message":"client evicted: send queue full (0 bytes unsent)"}',
      "",
    ]),
    [],
  );
});

Deno.test("logProblems() reports errors, uncaught exceptions and stack traces", () => {
  const problems = logProblems([
    '{"level":"ERROR","message":"room lost"}',
    "error: Uncaught (in promise) TypeError: x is undefined",
    '{"level":"INFO","message":"handler failed: TypeError: x\\n    at f (file:///a.ts:1:2)"}',
  ]);
  assert.equal(problems.length, 3);
});

Deno.test("rssMiB() reads this process's resident memory", async () => {
  const rss = await rssMiB(Deno.pid);
  assert.ok(rss !== undefined && rss > 1, `RSS ${rss}`);
});
