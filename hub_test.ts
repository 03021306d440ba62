import assert from "node:assert/strict";
import type { Batch } from "./batch.ts";
import { type CloseReason, Hub, QUEUE_FULL, type Subscriber } from "./hub.ts";
import { Outbox } from "./outbox.ts";
import { setImmediate } from "node:timers";
import { deadline } from "./test_util/natter.ts";

/**
 * A Subscriber without a socket: a real bounded queue, and a record of how
 * the Hub let it go. Nothing drains the queue unless the test does.
 */
class FakeClient implements Subscriber {
  readonly queue: Outbox;
  releases: (CloseReason | undefined)[] = [];
  readonly #released = Promise.withResolvers<CloseReason | undefined>();
  #taken: string[] = [];
  /** Every batch the Hub offered, in order. */
  offered: Batch[] = [];

  constructor(capacity = 256) {
    this.queue = new Outbox(capacity);
  }

  offer(batch: Batch): boolean {
    this.offered.push(batch);
    return this.queue.offer(batch);
  }

  release(close?: CloseReason): void {
    this.releases.push(close);
    this.queue.close();
    this.#released.resolve(close);
  }

  /** Settles when the Hub releases this client. */
  get released(): Promise<CloseReason | undefined> {
    return deadline(this.#released.promise, "the Hub to release the client");
  }

  /** Waits for `count` messages in the queue and takes them. */
  take(count: number): Promise<string[]> {
    return deadline(this.#take(count), `${count} messages in the queue`);
  }

  async #take(count: number): Promise<string[]> {
    while (this.#taken.length < count) {
      if (!await this.queue.wait()) throw new Error("Released while waiting");
      this.#taken.push(...this.queue.take().split("\n"));
    }
    return this.#taken.splice(0, count);
  }
}

/** Registers clients and waits until the Hub has them all. */
async function registerAll(hub: Hub, clients: FakeClient[]): Promise<void> {
  for (const c of clients) await hub.register.send(c);
  // A broadcast is handled after every registration queued before it.
  await hub.broadcast.send("sync");
  for (const c of clients) assert.deepEqual(await c.take(1), ["sync"]);
}

Deno.test("Hub delivers every broadcast to every client in one order (A1, A2, I4)", async () => {
  await using hub = new Hub();
  const clients = [new FakeClient(), new FakeClient(), new FakeClient()];
  await registerAll(hub, clients);
  assert.equal(hub.size, 3);
  const sent = Array.from({ length: 100 }, (_, i) => `m${i}`);
  for (const m of sent) await hub.broadcast.send(m);
  for (const c of clients) assert.deepEqual(await c.take(100), sent);
});

Deno.test("Hub offers one turn's messages as one shared batch (O1)", async () => {
  await using hub = new Hub();
  const clients = [new FakeClient(), new FakeClient()];
  await registerAll(hub, clients);
  const sent = Array.from({ length: 50 }, (_, i) => `m${i}`);
  // Sent within one turn of the event loop, as a burst of inbound frames is.
  for (const m of sent) assert.ok(hub.broadcast.trySend(m));
  for (const c of clients) assert.deepEqual(await c.take(50), sent);
  const [a, b] = clients.map((c) => c.offered.at(-1));
  assert.equal(a, b, "both clients were offered the same Batch object");
  assert.deepEqual(a?.messages, sent);
  assert.equal(a?.frame, sent.join("\n"));
});

Deno.test("Hub splits a burst into batches of at most maxBatch, in order", async () => {
  await using hub = new Hub({ maxBatch: 128 });
  const client = new FakeClient(1000);
  await registerAll(hub, [client]);
  const sent = Array.from({ length: 300 }, (_, i) => `m${i}`);
  for (const m of sent) assert.ok(hub.broadcast.trySend(m));
  assert.deepEqual(await client.take(300), sent);
  assert.deepEqual(client.offered.slice(1).map((b) => b.size), [128, 128, 44]);
});

Deno.test("Hub lets the event loop turn between the batches of a burst", async () => {
  // Deno writes what a socket was handed only when the event loop turns; a
  // burst offered in one go would count as unsent all at once.
  await using hub = new Hub({ maxBatch: 100 });
  const client = new FakeClient(1000);
  await registerAll(hub, [client]);
  let turns = 0;
  const turnsAtOffer: number[] = [];
  const offer = client.offer.bind(client);
  client.offer = (batch) => {
    turnsAtOffer.push(turns);
    setImmediate(() => turns++);
    return offer(batch);
  };
  for (let i = 0; i < 250; i++) assert.ok(hub.broadcast.trySend(`m${i}`));
  assert.equal((await client.take(250)).length, 250);
  assert.deepEqual(client.offered.slice(1).map((b) => b.size), [100, 100, 50]);
  // Each batch after the first waited for the turn scheduled at the last one.
  assert.deepEqual(turnsAtOffer, [0, 1, 2]);
});

Deno.test("Hub evicts a client whose queue is full without waiting for it (A5, D5)", async () => {
  await using hub = new Hub();
  const stuck = new FakeClient(4);
  const healthy = new FakeClient(1000);
  await registerAll(hub, [stuck, healthy]);
  const sent = Array.from({ length: 20 }, (_, i) => `m${i}`);
  for (const m of sent) await hub.broadcast.send(m);
  // The healthy client gets everything although the stuck one never drains.
  assert.deepEqual(await healthy.take(20), sent);
  assert.deepEqual(await stuck.released, QUEUE_FULL);
  assert.deepEqual(QUEUE_FULL, { code: 1008, reason: "send queue full" });
  // What fitted stays queued for the writer to hand over (O2); the message
  // that did not fit, and everything after it, is not delivered.
  assert.deepEqual(stuck.queue.take().split("\n"), ["m0", "m1", "m2", "m3"]);
  assert.equal(hub.size, 1);
});

Deno.test("Hub unregister is idempotent (A6)", async () => {
  await using hub = new Hub();
  const a = new FakeClient(2);
  const b = new FakeClient();
  await registerAll(hub, [a, b]);
  // Evict a for being slow, then let it unregister itself twice.
  for (const m of ["x", "y", "z"]) await hub.broadcast.send(m);
  await a.released;
  await hub.unregister.send(a);
  await hub.unregister.send(a);
  await hub.unregister.send(b);
  await hub.unregister.send(b);
  await hub.broadcast.send("after");
  assert.deepEqual(await b.released, undefined);
  assert.equal(a.releases.length, 1, "a is released exactly once");
  assert.equal(b.releases.length, 1, "b is released exactly once");
  assert.equal(hub.size, 0);
});

Deno.test("Hub.close() releases every client with 1001 after queued work", async () => {
  const hub = new Hub();
  const clients = [new FakeClient(), new FakeClient()];
  await registerAll(hub, clients);
  hub.broadcast.trySend("last words");
  await hub.close();
  for (const c of clients) {
    assert.deepEqual(c.releases, [
      { code: 1001, reason: "server shutting down" },
    ]);
    assert.deepEqual(c.queue.take().split("\n"), ["last words"]);
  }
  await assert.rejects(hub.broadcast.send("late"));
  assert.equal(hub.register.trySend(new FakeClient()), false);
});

Deno.test("Hub fills 1000 bounded queues exactly to capacity before evicting", async () => {
  await using hub = new Hub();
  const clients = Array.from({ length: 1000 }, () => new FakeClient(256));
  await registerAll(hub, clients);
  const [reader, ...others] = clients;
  for (let i = 0; i < 256; i++) await hub.broadcast.send(`m${i}`);
  // Once the reader has all 256, every queue has had them offered: K1 fits.
  assert.equal((await reader.take(256)).at(-1), "m255");
  assert.equal(hub.size, 1000);
  // One more overflows every queue but the drained one.
  await hub.broadcast.send("one too many");
  assert.deepEqual(await reader.take(1), ["one too many"]);
  assert.equal(hub.size, 1);
  for (const c of others) assert.deepEqual(c.releases, [QUEUE_FULL]);
  assert.equal(others[0].queue.take().split("\n").length, 256);
});
