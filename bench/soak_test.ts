import assert from "node:assert/strict";
import { verdict } from "./soak.ts";

const samples = (rss: number[]) =>
  rss.map((rss_kib, i) => ({
    t_s: i + 1,
    rss_kib,
    fds: 10,
    probe_ms: 1,
    open: 1,
  }));

Deno.test("verdict() compares the last quarter's RSS with the second's", () => {
  const flat = verdict(samples([90, 100, 101, 99, 100, 102, 100, 103]), {
    before: 8,
    after: 8,
  });
  assert.equal(flat.memory_flat, true);
  assert.equal(flat.pass, true);
  const growing = verdict(samples([90, 100, 100, 120, 130, 140, 150, 160]), {
    before: 8,
    after: 8,
  });
  assert.equal(growing.memory_flat, false);
  assert.equal(growing.pass, false);
});

Deno.test("verdict() finds descriptors that did not come back", () => {
  const leak = verdict(samples([1, 1, 1, 1]), { before: 8, after: 20 });
  assert.equal(leak.no_fd_leak, false);
  assert.equal(
    verdict(samples([1, 1, 1, 1]), { before: 8, after: 10 }).no_fd_leak,
    true,
  );
});
