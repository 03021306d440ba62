import assert from "node:assert/strict";
import type { Batch } from "./batch.ts";
import { type CloseReason, Hub, type Subscriber } from "./hub.ts";
import { Sequencer } from "./relay.ts";
import { deadline, until } from "./test_util/natter.ts";

/** A subscriber that records every message it is offered, and never fills. */
class Recorder implements Subscriber {
  readonly seen: string[] = [];
  #waiter?: { count: number; resolve: () => void };

  offer(batch: Batch): boolean {
    this.seen.push(...batch.messages);
    if (this.#waiter && this.seen.length >= this.#waiter.count) {
      this.#waiter.resolve();
    }
    return true;
  }

  release(_close?: CloseReason): void {}

  /** Settles once `count` messages have been offered; fails after a deadline. */
  until(count: number): Promise<void> {
    if (this.seen.length >= count) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#waiter = { count, resolve };
    return deadline(promise, `${count} messages offered`);
  }
}

Deno.test("Sequencer gives Hubs that share it one global order (I4)", async () => {
  const sequencer = new Sequencer();
  await using a = new Hub({ relay: sequencer.relay() });
  await using b = new Hub({ relay: sequencer.relay() });
  const onA = new Recorder();
  const onB = new Recorder();
  await a.register.send(onA);
  await b.register.send(onB);
  // Both Hubs have their client once a message from each has come back.
  await a.broadcast.send("hello from a");
  await b.broadcast.send("hello from b");
  await Promise.all([onA.until(2), onB.until(2)]);
  // Interleave two senders, one on each Hub, over several turns.
  for (let i = 0; i < 200; i++) {
    a.broadcast.trySend(`a${i}`);
    b.broadcast.trySend(`b${i}`);
    if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  await Promise.all([onA.until(402), onB.until(402)]);
  assert.deepEqual(onA.seen, onB.seen, "both Hubs fanned out one order");
  const fromA = onA.seen.filter((m) => m.startsWith("a"));
  assert.deepEqual(fromA, Array.from({ length: 200 }, (_, i) => `a${i}`));
  assert.equal(onA.seen.length, 402);
});

Deno.test("Hub with a relay fans out only what the relay hands back", async () => {
  const published: (readonly string[])[] = [];
  let deliver: (messages: readonly string[]) => void = () => {};
  await using hub = new Hub({
    relay: {
      publish: (messages) => published.push(messages),
      listen: (d) => deliver = d,
    },
  });
  const client = new Recorder();
  await hub.register.send(client);
  await hub.broadcast.send("local");
  // The Hub published its client's message and did not fan it out itself.
  await until(() => published.length > 0, "the Hub to publish");
  assert.deepEqual(published, [["local"]]);
  assert.deepEqual(client.seen, []);
  deliver(["remote", "local"]);
  await client.until(2);
  assert.deepEqual(client.seen, ["remote", "local"]);
});
