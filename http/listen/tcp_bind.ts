/**
 * A listening TCP handle for `node:net`, bound at once. `server.listen(port,
 * host)` resolves the host first and listens a tick later, so a client that
 * connects right after it returns is refused; `Deno.serve` binds before it
 * returns, and natter's callers (its tests among them) rely on that. Node's
 * TCP binding, `process.binding("tcp_wrap")`, which Deno 2.9 provides, binds
 * and listens now; `server.listen(handle)` then serves on the handle.
 *
 * @module
 */

import process from "node:process";
import { getSystemErrorName } from "node:util";

/** The part of Node's internal TCP binding that binds synchronously. */
interface TcpBinding {
  TCP: new (type: number) => TcpHandle;
  constants: { SERVER: number; UV_TCP_REUSEPORT: number };
}

/** A TCP handle of Node's binding: what natter calls on it. */
export interface TcpHandle {
  bind(address: string, port: number): number;
  bindWithFlags(address: string, port: number, flags: number): number;
  bind6(address: string, port: number, flags: number): number;
  listen(backlog: number): number;
  close(): void;
}

/** The kernel's queue of connections waiting to be accepted, as Node sizes it. */
export const BACKLOG = 511;

/**
 * Binds a TCP handle to `hostname:port` and listens on it, now.
 *
 * @throws what `Deno.listen` throws for the same address (for example
 * `Deno.errors.AddrInUse`), or an error naming the system's error.
 * @example
 * ```ts
 * import http from "node:http";
 *
 * const handle = bindNow("127.0.0.1", 0, false);
 * const server = http.createServer((_, res) => res.end("hi\n"));
 * server.listen(handle);
 * ```
 */
export function bindNow(
  hostname: string,
  port: number,
  reusePort: boolean,
): TcpHandle {
  const tcp = (process as unknown as {
    binding(name: string): TcpBinding;
  }).binding("tcp_wrap");
  const handle = new tcp.TCP(tcp.constants.SERVER);
  const flags = reusePort ? tcp.constants.UV_TCP_REUSEPORT : 0;
  let error = hostname.includes(":")
    ? handle.bind6(hostname, port, flags)
    : flags
    ? handle.bindWithFlags(hostname, port, flags)
    : handle.bind(hostname, port);
  if (error === 0) error = handle.listen(BACKLOG);
  if (error === 0) return handle;
  handle.close();
  // Deno.listen says why, with the error class natter's callers expect.
  Deno.listen({ hostname, port, reusePort }).close();
  throw new Error(
    `Cannot listen on "${hostname}:${port}": ${getSystemErrorName(error)}`,
  );
}
