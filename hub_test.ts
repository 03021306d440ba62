import assert from "node:assert/strict";
import { Batch } from "./room/batch.ts";
import { Hub } from "./hub.ts";
import type {
  Inbound,
  Join,
  Refusal,
  Release,
  Subscriber,
  Welcome,
} from "./room/subscriber.ts";
import { closeFor, refusalClose } from "./connection/closes.ts";
import { Outbox } from "./connection/outbox.ts";
import { errorEvent, EVENTS, joinedEvent } from "./protocol/events.ts";
import { LINES } from "./protocol/lines.ts";
import { setImmediate } from "node:timers";
import { MemoryStore } from "./store/memory.ts";
import { type CloseReason, QUEUE_FULL } from "./util/close_reasons.ts";
import { deadline } from "./test_util/natter.ts";

let clientIds = 0;

/**
 * A Subscriber without a socket: a real bounded queue, and a record of how
 * the Hub let it go, as the close a connection would make of it. A client
 * that asks to be welcomed turns the Hub's outcomes into natter.v1 events,
 * as a natter.v1 session does. Nothing drains the queue unless the test does.
 */
class FakeClient implements Subscriber {
  readonly queue: Outbox;
  releases: (CloseReason | undefined)[] = [];
  welcomes: Welcome[] = [];
  refusals: Refusal[] = [];
  readonly #released = Promise.withResolvers<CloseReason | undefined>();
  #taken: string[] = [];
  /** Every batch the Hub offered, in order. */
  offered: Batch[] = [];

  /** This client's request to join the room. */
  readonly join: Join;

  constructor(capacity = 256, events = false) {
    this.queue = new Outbox(capacity, events ? EVENTS : LINES);
    this.join = {
      subscriber: this,
      member: { client: `c${++clientIds}`, nick: events ? "nick" : null },
      welcome: events ? {} : undefined,
    };
  }

  welcome(welcome: Welcome): void {
    this.welcomes.push(welcome);
    this.queue.offer(Batch.of(joinedEvent({
      id: undefined,
      room: welcome.room,
      nick: welcome.member.nick ?? "",
      client: welcome.member.client,
      epoch: welcome.position.epoch,
      offset: welcome.position.offset,
      recovered: welcome.recovered,
      history: welcome.history,
      presence: welcome.presence.members,
      count: welcome.count,
    })));
  }

  refused(refusal: Refusal): void {
    this.refusals.push(refusal);
    if (!this.join.welcome) return this.#release(refusalClose(refusal));
    this.queue.offer(Batch.of(errorEvent(undefined, refusal, "refused")));
    this.#release(undefined);
  }

  /** `text` as a message from this client. */
  says(text: string): Inbound {
    return { text, from: this.join.member, sender: this };
  }

  offer(batch: Batch): boolean {
    this.offered.push(batch);
    return this.queue.offer(batch);
  }

  release(release: Release): void {
    this.#release(closeFor(release));
  }

  #release(close?: CloseReason): void {
    this.releases.push(close);
    this.queue.close();
    this.#released.resolve(close);
  }

  /** Settles when the Hub releases this client. */
  get released(): Promise<CloseReason | undefined> {
    return deadline(this.#released.promise, "the Hub to release the client");
  }

  /** Waits for the next frame's text. */
  async next(): Promise<string> {
    if (!await this.queue.wait()) throw new Error("Released while waiting");
    return this.queue.take();
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

/** The client the tests' messages come from: the last one registered. */
let speaker: FakeClient;

/** A room's Hub on a fresh in-memory store. */
function roomHub(options?: ConstructorParameters<typeof Hub>[2]): Hub {
  return new Hub("lobby", new MemoryStore(), options);
}

/** Registers clients and waits until the Hub has them all. */
async function registerAll(hub: Hub, clients: FakeClient[]): Promise<void> {
  speaker = clients[clients.length - 1];
  for (const c of clients) await hub.register.send(c.join);
  // A broadcast is handled after every registration queued before it.
  await hub.broadcast.send(speaker.says("sync"));
  for (const c of clients) assert.deepEqual(await c.take(1), ["sync"]);
}

Deno.test("Hub delivers every broadcast to every client in one order (A1, A2, I4)", async () => {
  await using hub = roomHub();
  const clients = [new FakeClient(), new FakeClient(), new FakeClient()];
  await registerAll(hub, clients);
  assert.equal(hub.size, 3);
  const sent = Array.from({ length: 100 }, (_, i) => `m${i}`);
  for (const m of sent) await hub.broadcast.send(speaker.says(m));
  for (const c of clients) assert.deepEqual(await c.take(100), sent);
});

Deno.test("Hub offers one turn's messages as one shared batch (O1)", async () => {
  await using hub = roomHub();
  const clients = [new FakeClient(), new FakeClient()];
  await registerAll(hub, clients);
  const sent = Array.from({ length: 50 }, (_, i) => `m${i}`);
  // Sent within one turn of the event loop, as a burst of inbound frames is.
  for (const m of sent) assert.ok(hub.broadcast.trySend(speaker.says(m)));
  for (const c of clients) assert.deepEqual(await c.take(50), sent);
  const [a, b] = clients.map((c) => c.offered.at(-1));
  assert.equal(a, b, "both clients were offered the same Batch object");
  assert.deepEqual(a?.messages.map((m) => m.text), sent);
  assert.equal(a?.text(LINES), sent.join("\n"));
});

Deno.test("Hub splits a burst into batches of at most maxBatch, in order", async () => {
  await using hub = roomHub({ maxBatch: 128 });
  const client = new FakeClient(1000);
  await registerAll(hub, [client]);
  const sent = Array.from({ length: 300 }, (_, i) => `m${i}`);
  for (const m of sent) assert.ok(hub.broadcast.trySend(speaker.says(m)));
  assert.deepEqual(await client.take(300), sent);
  assert.deepEqual(client.offered.slice(1).map((b) => b.size(LINES)), [
    128,
    128,
    44,
  ]);
});

Deno.test("Hub lets the event loop turn between the batches of a burst", async () => {
  // Deno writes what a socket was handed only when the event loop turns; a
  // burst offered in one go would count as unsent all at once.
  await using hub = roomHub({ maxBatch: 100 });
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
  for (let i = 0; i < 250; i++) {
    assert.ok(hub.broadcast.trySend(speaker.says(`m${i}`)));
  }
  assert.equal((await client.take(250)).length, 250);
  assert.deepEqual(client.offered.slice(1).map((b) => b.size(LINES)), [
    100,
    100,
    50,
  ]);
  // Each batch after the first waited for the turn scheduled at the last one.
  assert.deepEqual(turnsAtOffer, [0, 1, 2]);
});

Deno.test("Hub evicts a client whose queue is full without waiting for it (A5, D5)", async () => {
  await using hub = roomHub();
  const stuck = new FakeClient(4);
  const healthy = new FakeClient(1000);
  await registerAll(hub, [stuck, healthy]);
  const sent = Array.from({ length: 20 }, (_, i) => `m${i}`);
  for (const m of sent) await hub.broadcast.send(speaker.says(m));
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
  await using hub = roomHub();
  const a = new FakeClient(2);
  const b = new FakeClient();
  await registerAll(hub, [a, b]);
  // Evict a for being slow, then let it unregister itself twice.
  for (const m of ["x", "y", "z"]) await hub.broadcast.send(speaker.says(m));
  await a.released;
  await hub.unregister.send(a);
  await hub.unregister.send(a);
  await hub.unregister.send(b);
  await hub.unregister.send(b);
  await hub.broadcast.send(speaker.says("after"));
  assert.deepEqual(await b.released, undefined);
  assert.equal(a.releases.length, 1, "a is released exactly once");
  assert.equal(b.releases.length, 1, "b is released exactly once");
  assert.equal(hub.size, 0);
});

Deno.test("Hub.close() releases every client with 1001 after queued work", async () => {
  const hub = roomHub();
  const clients = [new FakeClient(), new FakeClient()];
  await registerAll(hub, clients);
  hub.broadcast.trySend(speaker.says("last words"));
  await hub.close();
  for (const c of clients) {
    assert.deepEqual(c.releases, [
      { code: 1001, reason: "server shutting down" },
    ]);
    assert.deepEqual(c.queue.take().split("\n"), ["last words"]);
  }
  await assert.rejects(hub.broadcast.send(speaker.says("late")));
  assert.equal(hub.register.trySend(new FakeClient().join), false);
});

Deno.test("Hub fills 1000 bounded queues exactly to capacity before evicting", async () => {
  await using hub = roomHub();
  const clients = Array.from({ length: 1000 }, () => new FakeClient(256));
  await registerAll(hub, clients);
  const [reader, ...others] = clients;
  for (let i = 0; i < 256; i++) await hub.broadcast.send(speaker.says(`m${i}`));
  // Once the reader has all 256, every queue has had them offered: K1 fits.
  assert.equal((await reader.take(256)).at(-1), "m255");
  assert.equal(hub.size, 1000);
  // One more overflows every queue but the drained one.
  await hub.broadcast.send(speaker.says("one too many"));
  assert.deepEqual(await reader.take(1), ["one too many"]);
  assert.equal(hub.size, 1);
  for (const c of others) assert.deepEqual(c.releases, [QUEUE_FULL]);
  assert.equal(others[0].queue.take().split("\n").length, 256);
});

Deno.test("Hub coalesces a turn's joins and leaves into one presence event (E2)", async () => {
  await using hub = roomHub();
  const host = new FakeClient(256, true);
  await hub.register.send(host.join);
  const joined = JSON.parse(await deadline(host.next(), "the joined reply"));
  assert.equal(joined[0].type, "joined");
  const guests = [1, 2, 3].map(() => new FakeClient(256, true));
  // Queued in one turn: one presence event for all three.
  for (const guest of guests) assert.ok(hub.register.trySend(guest.join));
  const news = JSON.parse(await deadline(host.next(), "the presence event"));
  assert.deepEqual(news, [{
    type: "presence",
    room: "lobby",
    joined: guests.map((g) => g.join.member),
    left: [],
    count: 4,
  }]);
  // Each newcomer gets its joined reply, listing everyone, and not the news.
  for (const guest of guests) {
    const [reply] = JSON.parse(await deadline(guest.next(), "a reply"));
    assert.equal(reply.type, "joined");
    assert.equal(reply.presence.length, 4);
    assert.equal(guest.queue.size, 0);
  }
  for (const guest of guests.slice(1)) assert.ok(hub.unregister.trySend(guest));
  const gone = JSON.parse(await deadline(host.next(), "the leaves"));
  assert.deepEqual(gone[0].left, guests.slice(1).map((g) => g.join.member));
  assert.equal(gone[0].count, 2);
});

Deno.test("Hub refuses a join beyond its most members (R4)", async () => {
  await using hub = roomHub({ maxMembers: 1 });
  const first = new FakeClient(256, true);
  const second = new FakeClient(256, true);
  const plain = new FakeClient();
  await hub.register.send(first.join);
  await hub.register.send(second.join);
  await hub.register.send(plain.join);
  const [refusal] = JSON.parse(await deadline(second.next(), "the refusal"));
  assert.equal(refusal.code, "room_full");
  assert.deepEqual(second.refusals, ["room_full"]);
  assert.deepEqual(plain.refusals, ["room_full"]);
  assert.deepEqual(await deadline(second.released, "the release"), undefined);
  assert.deepEqual(await deadline(plain.released, "the plain release"), {
    code: 1013,
    reason: "room is full",
  });
  assert.equal(hub.size, 1);
});

Deno.test("Hub.close() takes its members out of the store's presence", async () => {
  const store = new MemoryStore();
  const hub = new Hub("lobby", store);
  const member = new FakeClient(256, true);
  await hub.register.send(member.join);
  await deadline(member.next(), "the joined reply");
  assert.deepEqual(await store.presence("lobby"), [member.join.member]);
  await hub.close();
  assert.deepEqual(await store.presence("lobby"), []);
});

/** A member whose queue fails: an error of natter's own, in a turn. */
class FaultyClient extends FakeClient {
  faulty = true;
  override offer(batch: Batch): boolean {
    if (this.faulty) throw new TypeError("Cannot queue: the client broke");
    return super.offer(batch);
  }
}

Deno.test("Hub survives a turn that fails: it logs, counts, and goes on", async () => {
  const lines: string[] = [];
  let errors = 0;
  await using hub = roomHub({
    log: (line) => lines.push(line),
    meter: {
      received() {},
      delivered() {},
      evicted() {},
      fannedOut() {},
      internalError: () => errors++,
    },
  });
  const good = new FakeClient();
  await registerAll(hub, [good]);
  const faulty = new FaultyClient();
  await hub.register.send(faulty.join);
  await hub.broadcast.send(good.says("boom"));
  await deadline(
    (async () => {
      while (errors === 0) await new Promise((r) => setTimeout(r, 5));
    })(),
    "the failed turn to be counted",
  );
  assert.match(lines.join("\n"), /internal error: TypeError: Cannot queue/);
  // The room goes on: the next turn reaches the good member.
  faulty.faulty = false;
  await hub.broadcast.send(good.says("after"));
  const got = await good.take(1);
  // "boom" may or may not have reached it before the fault: "after" must.
  if (got[0] === "boom") assert.deepEqual(await good.take(1), ["after"]);
  else assert.deepEqual(got, ["after"]);
});

/** A memory store whose appends fail while `failing` is set. */
class FailingStore extends MemoryStore {
  failing = false;
  override append(...args: Parameters<MemoryStore["append"]>) {
    if (this.failing) return Promise.reject(new Error("the disk is gone"));
    return super.append(...args);
  }
}

Deno.test("Hub tells a message's receipt its offset once every member was offered it", async (t) => {
  const store = new FailingStore();
  await using hub = new Hub("lobby", store);
  const member = new FakeClient();
  await registerAll(hub, [member]);
  await t.step("stored: after the fan-out, with the offset", async () => {
    const stored = Promise.withResolvers<number>();
    let offeredFirst = false;
    hub.intake.offer({ refuse() {} }, {
      text: "from the server",
      from: { client: "api", nick: null },
      receipt: {
        stored: (offset) => {
          offeredFirst = member.offered.at(-1)?.messages[0]?.text ===
            "from the server";
          stored.resolve(offset);
        },
        lost: () => stored.reject(new Error("lost")),
      },
    });
    assert.equal(await deadline(stored.promise, "the receipt"), 2);
    assert.ok(offeredFirst, "the member was offered the message first");
  });
  await t.step(
    "lost: the store failed, and nothing is acknowledged",
    async () => {
      store.failing = true;
      const lost = Promise.withResolvers<string>();
      hub.intake.offer({ refuse() {} }, {
        text: "never stored",
        from: { client: "api", nick: null },
        receipt: {
          stored: () => lost.resolve("stored"),
          lost: () => lost.resolve("lost"),
        },
      });
      assert.equal(await deadline(lost.promise, "the receipt"), "lost");
    },
  );
  await t.step(
    "a member's lost message without a receipt costs its place",
    async () => {
      await hub.broadcast.send(member.says("lost too"));
      assert.deepEqual(await member.released, {
        code: 1013,
        reason: "message store unavailable",
      });
      assert.equal(hub.size, 0);
    },
  );
});

Deno.test("Hub tells the receipts of messages it never took that they were lost", async () => {
  const hub = new Hub("lobby", new MemoryStore(), { backlog: 1 });
  const outcomes: string[] = [];
  const receipt = (name: string) => ({
    stored: () => outcomes.push(`${name} stored`),
    lost: () => outcomes.push(`${name} lost`),
  });
  const from = { client: "api", nick: null };
  // The channel holds one; the others wait in the intake when it closes.
  for (const name of ["a", "b", "c"]) {
    hub.intake.offer({ refuse() {} }, {
      text: name,
      from,
      receipt: receipt(name),
    });
  }
  await hub.close();
  assert.equal(outcomes.length, 3, `every receipt answered: ${outcomes}`);
  assert.ok(outcomes.includes("a stored"), `${outcomes}`);
});
