/**
 * natter without the caps `main.ts` derives from the descriptor limit, so
 * that a test can drive it out of descriptors: what happens when something
 * else in the process uses them up. It prints the start-up line that
 * {@linkcode NatterProcess.start} waits for, and logs as `main.ts` does.
 *
 * Given a certificate and a key file, it serves TLS, where a WebSocket holds
 * three descriptors (the TLS connection and both ends of the loopback), and
 * holds idle connections for a minute, so that a test keeps it out of
 * descriptors for as long as it holds them.
 *
 *   deno run --allow-all test_util/uncapped.ts [--cert cert.pem --key key.pem]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { serve } from "../http/server.ts";

// natter's own flags come after these (the tests add --port and --hostname).
const { values } = parseArgs({
  args: Deno.args,
  options: { cert: { type: "string" }, key: { type: "string" } },
  strict: false,
});
const certFile = values.cert as string | undefined;
const keyFile = values.key as string | undefined;
const tls = certFile !== undefined && keyFile !== undefined
  ? {
    cert: Deno.readTextFileSync(certFile),
    key: Deno.readTextFileSync(keyFile),
    requestTimeout: 60_000,
  }
  : {};
// As main.ts does, before listening: Deno sets up its signal handling on
// first use, and at that moment it needs a descriptor (or it panics).
const stopped = new Promise<void>((resolve) => {
  Deno.addSignalListener("SIGTERM", () => resolve());
  Deno.addSignalListener("SIGINT", () => resolve());
});
const scheme = tls.cert === undefined ? "http" : "https";
const natter = serve({
  hostname: "127.0.0.1",
  port: 0,
  ...tls,
  log: (line) => console.error(`natter: ${line}`),
  onListen: (addr) =>
    console.log(
      `natter: listening on ${scheme}://127.0.0.1:${addr.port}/ (without caps)`,
    ),
});
await stopped;
await natter.shutdown();
Deno.exit(0);
