import assert from "node:assert/strict";
import { shutDown, type Stoppable } from "./shutdown.ts";
import { deadline } from "../test_util/natter.ts";
import {
  type CloseReason,
  GOING_AWAY,
  SERVICE_RESTART,
} from "../util/close_reasons.ts";

/** A stand-in connection: told to close by a batch or by its room. */
class FakeClient {
  closing = false;
  /** When and how it was kicked by a batch, if it was. */
  kicked?: { at: number; close: CloseReason };
  readonly #closed = Promise.withResolvers<void>();
  readonly #stalled: boolean;

  constructor(stalled = false) {
    this.#stalled = stalled;
  }

  /** Settles once the socket has closed, which a stalled one never does. */
  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  kick(close: CloseReason): void {
    assert.equal(this.kicked, undefined, "kicked twice");
    this.kicked = { at: performance.now(), close };
    this.close();
  }

  close(): void {
    this.closing = true;
    if (!this.#stalled) this.#closed.resolve();
  }
}

/** A server of `count` fake connections whose rooms record their close. */
function fakeServer(count: number, options: { stalled?: number } = {}) {
  const clients = Array.from(
    { length: count },
    (_, i) => new FakeClient(i < (options.stalled ?? 0)),
  );
  const byId = new Map(clients.map((c, i) => [`c${i}`, c]));
  const roomsClosed: { at: number; reason?: CloseReason }[] = [];
  const parts: Stoppable = {
    rooms: {
      close: (reason?: CloseReason) => {
        roomsClosed.push({ at: performance.now(), reason });
        // The Hubs release whoever is still in a room.
        for (const client of clients) if (!client.closing) client.close();
        return Promise.resolve();
      },
    },
    connections: {
      byId,
      closed: () => Promise.all(clients.map((c) => c.closed)).then(() => {}),
    },
  };
  return { parts, clients, roomsClosed };
}

Deno.test("shutDown() with a window closes the clients in batches over it, then the rooms", async () => {
  const { parts, clients, roomsClosed } = fakeServer(200);
  const start = performance.now();
  const clean = await deadline(
    shutDown(parts, { timeout: 1000, reason: SERVICE_RESTART, window: 1000 }),
    "the shutdown",
  );
  assert.equal(clean, true);
  const times = clients.map((c) => {
    assert.deepEqual(c.kicked?.close, SERVICE_RESTART, "each one kicked");
    return c.kicked!.at - start;
  });
  const first = Math.min(...times);
  const last = Math.max(...times);
  assert.ok(first < 250, `first close at ${first} ms`);
  assert.ok(last >= 500, `last close at ${last} ms, not spread`);
  assert.equal(roomsClosed.length, 1);
  assert.deepEqual(roomsClosed[0].reason, SERVICE_RESTART);
  assert.ok(roomsClosed[0].at - start >= last, "the rooms close after");
});

Deno.test("shutDown() without a window leaves every close to the rooms, at once", async (t) => {
  for (const window of [undefined, 0]) {
    await t.step(`window ${window}`, async () => {
      const { parts, clients, roomsClosed } = fakeServer(200);
      const clean = await deadline(
        shutDown(parts, { timeout: 1000, window }),
        "the shutdown",
      );
      assert.equal(clean, true);
      assert.ok(clients.every((c) => c.kicked === undefined), "no batches");
      assert.ok(clients.every((c) => c.closing), "all closed by the rooms");
      assert.deepEqual(roomsClosed.map((r) => r.reason), [undefined]);
    });
  }
});

Deno.test("shutDown() with a window sends natter's 1001 when given no reason", async () => {
  const { parts, clients } = fakeServer(3);
  await deadline(shutDown(parts, { timeout: 1000, window: 500 }), "shutdown");
  assert.ok(clients.every((c) => c.kicked?.close === GOING_AWAY));
});

Deno.test("shutDown() gives up on a client that never finishes closing, by window + timeout", async () => {
  // 100 clients over 500 ms: 4 batches of 25, the last at 300 ms.
  const { parts, clients } = fakeServer(100, { stalled: 1 });
  const start = performance.now();
  const clean = await deadline(
    shutDown(parts, { timeout: 300, reason: SERVICE_RESTART, window: 500 }),
    "the shutdown to give up",
    500 + 300 + 5000,
  );
  const elapsed = performance.now() - start;
  assert.equal(clean, false);
  assert.ok(elapsed >= 300, `gave up after ${elapsed} ms, before the timeout`);
  assert.ok(clients.every((c) => c.closing), "every client was told");
});
