/**
 * Micro-benchmarks of the Hub's fan-out with 1000 fake clients: what one
 * broadcast costs the Hub when no socket is involved. Run with
 * `deno task bench:micro`.
 */

import type { Batch } from "./batch.ts";
import { Hub } from "../hub.ts";
import type { Inbound, Subscriber } from "./subscriber.ts";
import { Outbox } from "../connection/outbox.ts";
import { LINES } from "../protocol/lines.ts";
import { MemoryStore } from "../store/memory.ts";

/** A client whose writer drains its Outbox as a real one would, minus the socket. */
class FakeClient implements Subscriber {
  readonly #outbox = new Outbox(256, LINES);
  frames = 0;
  #scheduled = false;
  onFrame?: (frame: string) => void;

  offer(batch: Batch): boolean {
    const fits = this.#outbox.offer(batch);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        this.frames++;
        const frame = this.#outbox.take();
        this.onFrame?.(frame);
      });
    }
    return fits;
  }

  refused(): void {}

  release(): void {}

  /** `text` as a plain message from this client. */
  says(text: string): Inbound {
    return { text, from: { client: "bench", nick: null }, sender: this };
  }
}

async function setUp(clients: number) {
  const hub = new Hub("lobby", new MemoryStore());
  const fakes = Array.from({ length: clients }, () => new FakeClient());
  for (const fake of fakes) {
    await hub.register.send({ subscriber: fake, member: fake.says("").from });
  }
  return { hub, last: fakes.at(-1)! };
}

/** Broadcasts `count` messages in one turn; settles when the last client has them. */
function burst(
  hub: Hub,
  last: FakeClient,
  count: number,
  id: number,
): Promise<void> {
  const end = `end ${id}`;
  const done = new Promise<void>((resolve) => {
    last.onFrame = (frame) => {
      if (frame.endsWith(end)) resolve();
    };
  });
  for (let i = 1; i < count; i++) {
    hub.broadcast.trySend(last.says(`message ${i}`));
  }
  hub.broadcast.trySend(last.says(end));
  return done;
}

for (const clients of [100, 1000]) {
  const { hub, last } = await setUp(clients);
  let id = 0;
  Deno.bench(
    `Hub fan-out of 1 message to ${clients} clients`,
    { group: `hub ${clients}` },
    async () => await burst(hub, last, 1, id++),
  );
  Deno.bench(
    `Hub fan-out of 100 messages in one turn to ${clients} clients`,
    { group: `hub ${clients}` },
    async () => await burst(hub, last, 100, id++),
  );
}
