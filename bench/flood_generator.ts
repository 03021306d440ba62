/**
 * One generator of `deno task bench flood`, in a process of its own so that
 * each has the whole descriptor limit: it opens its connections all at once,
 * then does what the scenario asks on stdin, one command a line, and answers
 * each with one line of JSON on stdout.
 *
 *   deno run --allow-all bench/flood_generator.ts URL CLIENTS PAR
 *
 *   (at start)  -> {"type":"connected", connected, failed, seconds}
 *   check N S T -> the first S of its clients each send N messages; every
 *                  client counts what arrives, N from each of the T senders
 *                  of all generators -> {"type":"checked", ...}
 *   close       -> closes everything -> {"type":"closed"}, and exits
 *
 * @module
 */

import { Histogram } from "./histogram.ts";
import { now, openSockets } from "./open.ts";

const [url, clients, par] = [
  Deno.args[0],
  Number(Deno.args[1]),
  Number(Deno.args[2]),
];
const sockets: WebSocket[] = [];
let received = new Int32Array(clients);
let disconnects = 0;
const failed: Record<string, number> = {};

/** Prints one answer. */
function answer(message: Record<string, unknown>): void {
  console.log(JSON.stringify(message));
}

const started = now();
await openSockets(
  url,
  clients,
  par,
  { handshake: new Histogram(), failed },
  (socket) => {
    const i = sockets.length;
    sockets.push(socket);
    socket.onmessage = ({ data }) => {
      // Only the check's messages are broadcast: count them, LF-joined.
      let n = 1;
      for (
        let at = data.indexOf("\n");
        at !== -1;
        at = data.indexOf("\n", at + 1)
      ) n++;
      received[i] += n;
    };
    socket.onclose = () => disconnects++;
  },
);
answer({
  type: "connected",
  connected: sockets.length,
  failed,
  seconds: Math.round(now() - started) / 1000,
});

/** Waits until every open client has `count` messages, or `ms` passed. */
async function settle(count: number, ms: number): Promise<void> {
  const end = now() + ms;
  while (now() < end) {
    let done = true;
    for (let i = 0; i < sockets.length && done; i++) {
      done = received[i] >= count || sockets[i].readyState !== WebSocket.OPEN;
    }
    if (done) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

for await (
  const line of Deno.stdin.readable
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(splitLines())
) {
  const [command, ...args] = line.trim().split(" ");
  if (command === "check") {
    const [perSender, senders, all] = args.map(Number);
    const count = perSender * all;
    received = new Int32Array(sockets.length);
    for (const socket of sockets.slice(0, senders)) {
      for (let n = 0; n < perSender; n++) socket.send(`check ${n}`);
    }
    await settle(count, 30_000);
    let complete = 0;
    let missing = 0;
    let open = 0;
    for (let i = 0; i < sockets.length; i++) {
      if (sockets[i].readyState !== WebSocket.OPEN) continue;
      open++;
      if (received[i] >= count) complete++;
      else missing += count - received[i];
    }
    answer({ type: "checked", open, complete, missing, disconnects });
  } else if (command === "close") {
    for (const socket of sockets) socket.onclose = null;
    for (const socket of sockets) socket.close();
    answer({ type: "closed" });
    Deno.exit(0);
  }
}

/** Splits a text stream into lines. */
function splitLines(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const part of parts) controller.enqueue(part);
    },
    flush(controller) {
      if (rest) controller.enqueue(rest);
    },
  });
}
