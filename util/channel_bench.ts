/**
 * Micro-benchmarks of the Channel: the cost of moving values through it the
 * ways the Hub and the Client do. Run with `deno task bench:micro`.
 */

import { Channel } from "./channel.ts";
import { select } from "./select.ts";

const N = 1000;

Deno.bench(
  "Channel trySend + takeAll, 1000 values",
  { group: "channel" },
  () => {
    const ch = new Channel<number>(N);
    for (let i = 0; i < N; i++) ch.trySend(i);
    if (ch.takeAll().length !== N) throw new Error("lost values");
  },
);

Deno.bench(
  "Channel send + receive, 1000 values",
  { group: "channel" },
  async () => {
    const ch = new Channel<number>(64);
    const consumer = (async () => {
      for (let i = 0; i < N; i++) await ch.receive();
    })();
    for (let i = 0; i < N; i++) await ch.send(i);
    await consumer;
  },
);

Deno.bench(
  "select over 4 channels, 1000 wake-ups",
  { group: "channel" },
  async () => {
    const channels = Array.from({ length: 4 }, () => new Channel<number>(8));
    for (let i = 0; i < N; i++) {
      const waiting = select(channels);
      channels[i % 4].trySend(i);
      channels[await waiting].takeAll();
    }
  },
);
