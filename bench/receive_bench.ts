/**
 * Micro-benchmark of the load generator's hot path: counting one received
 * frame of 100 messages, plain (LF-joined) and natter.v1 (a JSON array of
 * message events as natter serialises them). Run with `deno task bench:micro`.
 */

import { frameOf, messageEvent } from "../protocol/events.ts";
import {
  delivered,
  prepare,
  receive,
  receiveStructured,
} from "./load_worker.ts";
import { now } from "./open.ts";

const CONNECTIONS = 1000;
const start = now();
prepare("bench1", start, CONNECTIONS);
const sentAt = Math.round((now() - start) * 1000);
const pad = "x".repeat(100);
const texts = Array.from({ length: 100 }, (_, seq) => {
  const head = `bench1 ${seq % 5} ${seq} ${sentAt}|`;
  return head + pad.slice(head.length);
});
const frame = texts.join("\n");
const structured = frameOf(texts.map((text, i) =>
  messageEvent({
    room: "lobby",
    offset: i + 1,
    ts: Date.now(),
    text,
    from: { client: "ab12-1", nick: "b1" },
  })
));

let index = 0;
Deno.bench("load generator: count a frame of 100 messages", () => {
  const before = delivered();
  receive(index++ % CONNECTIONS, frame);
  if (delivered() - before !== 100) throw new Error("messages not counted");
});

Deno.bench("load generator: count a natter.v1 frame of 100 messages", () => {
  const before = delivered();
  receiveStructured(index++ % CONNECTIONS, structured);
  if (delivered() - before !== 100) throw new Error("messages not counted");
});
