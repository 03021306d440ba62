/**
 * What Deno itself holds per WebSocket, with no natter: a `Deno.serve` server
 * that upgrades every request and sends each socket one frame of `--size`
 * bytes (none for 0), and N clients that hold their connections. Prints the
 * server's RSS before and after, one JSON line.
 *
 *   deno run --allow-all bench/ws_floor.ts --clients 10000 --size 11000
 *
 * Deno 2.9 keeps, for each connection, a write buffer as large as the
 * largest frame it was ever sent: compare `--size 0` with `--size 11000`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { rssKiB } from "./proc.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    clients: { type: "string", default: "10000" },
    size: { type: "string", default: "0" },
    serve: { type: "string" },
  },
});
const size = Number(values.size);

if (values.serve !== undefined) {
  // The server: upgrades every request, sends one frame, keeps the socket.
  const text = "x".repeat(size);
  Deno.serve({ port: Number(values.serve), onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = () => size > 0 && socket.send(text);
    return response;
  });
} else {
  const clients = Number(values.clients);
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      import.meta.filename!,
      "--serve",
      `${port}`,
      "--size",
      `${size}`,
    ],
  }).spawn();
  const rss = () => rssKiB(server.pid) / 1024;
  const url = `ws://127.0.0.1:${port}/`;
  await waitUntilUp(url);
  const before = rss();
  const sockets: WebSocket[] = [];
  for (let i = 0; i < clients; i += 500) {
    const batch = Array.from(
      { length: Math.min(500, clients - i) },
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = new WebSocket(url);
          sockets.push(socket);
          socket.onerror = () => reject(new Error("a connection failed"));
          if (size === 0) socket.onopen = () => resolve();
          else socket.onmessage = () => resolve();
        }),
    );
    await within(Promise.all(batch), 30_000, `connections ${i} on`);
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const after = rss();
  console.log(JSON.stringify({
    clients,
    size,
    rss_before_mib: Math.round(before),
    rss_after_mib: Math.round(after),
    kib_per_connection: Math.round((after - before) * 1024 / clients * 10) /
      10,
  }));
  for (const socket of sockets) socket.close();
  server.kill();
  await server.status;
}

/** `promise`, or a failure naming `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the server answers, or fails after 10 s. */
async function waitUntilUp(url: string): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      const socket = new WebSocket(url);
      await new Promise<void>((resolve, reject) => {
        socket.onopen = () => resolve();
        socket.onerror = () => reject(new Error("not up"));
      });
      socket.close();
      return;
    } catch {
      if (Date.now() > until) throw new Error(`${url}: not up within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
