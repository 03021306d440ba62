/**
 * natter over TLS without the caps `main.ts` derives from the descriptor
 * limit, so that a test can drive it out of descriptors with WebSockets
 * that each hold three (the TLS connection and both ends of the loopback),
 * or with idle connections, which it holds for a minute.
 * It takes the certificate and key files as its first two arguments, prints
 * the start-up line that {@linkcode NatterProcess.start} waits for, and logs
 * as `main.ts` does.
 *
 *   deno run --allow-all test_util/uncapped_tls.ts cert.pem key.pem
 *
 * @module
 */

import { serve } from "../server.ts";

const [certFile, keyFile] = Deno.args;
const cert = Deno.readTextFileSync(certFile);
const key = Deno.readTextFileSync(keyFile);
// As main.ts does, before listening: Deno sets up its signal handling on
// first use, and at that moment it needs a descriptor (or it panics).
const stopped = new Promise<void>((resolve) => {
  Deno.addSignalListener("SIGTERM", () => resolve());
  Deno.addSignalListener("SIGINT", () => resolve());
});
const natter = serve({
  hostname: "127.0.0.1",
  port: 0,
  cert,
  key,
  // Idle connections hold their descriptor for a minute, so that a test
  // keeps natter out of descriptors for as long as it holds them.
  requestTimeout: 60_000,
  log: (line) => console.error(`natter: ${line}`),
  onListen: (addr) =>
    console.log(
      `natter: listening on https://127.0.0.1:${addr.port}/ (without caps)`,
    ),
});
await stopped;
await natter.shutdown();
Deno.exit(0);
