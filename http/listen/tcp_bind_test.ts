import assert from "node:assert/strict";
import { bindNow } from "./tcp_bind.ts";

/** The port a handle listens on, found by binding port 0 and asking Deno. */
function freePort(): number {
  using probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return probe.addr.port;
}

Deno.test("bindNow() listens before it returns", async () => {
  const port = freePort();
  const handle = bindNow("127.0.0.1", port, false);
  try {
    // Nothing accepts yet, but the kernel completes the connection.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
  } finally {
    handle.close();
  }
});

Deno.test("bindNow() shares a port with reusePort", () => {
  const port = freePort();
  const first = bindNow("127.0.0.1", port, true);
  const second = bindNow("127.0.0.1", port, true);
  first.close();
  second.close();
});

Deno.test("bindNow() throws AddrInUse for a port that is taken", () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  assert.throws(
    () => bindNow("127.0.0.1", taken.addr.port, false),
    Deno.errors.AddrInUse,
  );
});

Deno.test("bindNow() binds IPv6 addresses", async (t) => {
  let port: number;
  try {
    using probe = Deno.listen({ hostname: "::1", port: 0 });
    port = probe.addr.port;
  } catch {
    return void await t.step({ name: "no IPv6 here", ignore: true, fn() {} });
  }
  const handle = bindNow("::1", port, false);
  const conn = await Deno.connect({ hostname: "::1", port });
  conn.close();
  handle.close();
});
