/**
 * Prints how much JS heap natter holds after rounds of clients that connect
 * and leave, one JSON line per round, for the test that nothing is left
 * behind. Needs `--v8-flags=--expose-gc`.
 *
 *   deno run --allow-net --v8-flags=--expose-gc test_util/heap_rounds.ts [ROUNDS] [CLIENTS]
 *
 * @module
 */

import { serve } from "../http/server.ts";

const rounds = Number(Deno.args[0] ?? 4);
const clients = Number(Deno.args[1] ?? 1000);
const gc = (globalThis as unknown as { gc(): void }).gc;

await using natter = serve({ hostname: "127.0.0.1", port: 0, onListen() {} });
const url = `ws://127.0.0.1:${natter.addr.port}/ws`;
for (let round = 1; round <= rounds; round++) {
  const sockets = await Promise.all(
    Array.from({ length: clients }, () =>
      new Promise<WebSocket>((resolve) => {
        const socket = new WebSocket(url);
        socket.onopen = () => resolve(socket);
      })),
  );
  await Promise.all(sockets.map((socket) =>
    new Promise((resolve) => {
      socket.onclose = resolve;
      socket.close();
    })
  ));
  // Let the server see every close.
  while (natter.members() > 0) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  gc();
  gc();
  console.log(JSON.stringify({ round, heapUsed: Deno.memoryUsage().heapUsed }));
}
