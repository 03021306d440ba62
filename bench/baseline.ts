/**
 * The Deno baseline for natter's benchmarks: a chat server written the way
 * Deno's manual shows WebSockets, a Set of sockets and a loop that sends every
 * message to each of them. No queues, no coalescing, no limits.
 *
 *   deno task bench:baseline --port 8081 [--hostname 127.0.0.1]
 *
 * @module
 */

// Flags by hand: importing node:util would grow the heap (and the RSS per
// connection) of a server that is meant to be Deno and nothing else.
const flag = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < Deno.args.length ? Deno.args[i + 1] : fallback;
};
const hostname = flag("hostname", "127.0.0.1");
const port = Number(flag("port", "8081"));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`baseline: Cannot use "--port": "${flag("port", "")}"`);
  Deno.exit(2);
}

const sockets = new Set<WebSocket>();

Deno.serve({ hostname, port }, (request) => {
  if (request.headers.get("upgrade") !== "websocket") {
    return new Response("baseline chat server: connect to /ws\n");
  }
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.onopen = () => sockets.add(socket);
  socket.onclose = () => sockets.delete(socket);
  socket.onmessage = (event) => {
    for (const peer of sockets) peer.send(event.data);
  };
  return response;
});
