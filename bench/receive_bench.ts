/**
 * Micro-benchmark of the load generator's hot path: counting one received
 * frame of 100 messages. Run with `deno task bench:micro`.
 */

import { delivered, prepare, receive } from "./load_worker.ts";
import { now } from "./open.ts";

const CONNECTIONS = 1000;
const start = now();
prepare("bench1", start, CONNECTIONS);
const sentAt = Math.round((now() - start) * 1000);
const pad = "x".repeat(100);
const frame = Array.from({ length: 100 }, (_, seq) => {
  const head = `bench1 ${seq % 5} ${seq} ${sentAt}|`;
  return head + pad.slice(head.length);
}).join("\n");

let index = 0;
Deno.bench("load generator: count a frame of 100 messages", () => {
  const before = delivered();
  receive(index++ % CONNECTIONS, frame);
  if (delivered() - before !== 100) throw new Error("messages not counted");
});
