import assert from "node:assert/strict";
import { Inbox } from "./inbox.ts";

async function all<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterator) items.push(item);
  return items;
}

Deno.test("Inbox hands items to its reader in order, waiting or not", async () => {
  const inbox = new Inbox<number>(10);
  inbox.push(1);
  const reading = all(inbox.read());
  inbox.push(2);
  await Promise.resolve();
  inbox.push(3);
  inbox.end();
  assert.deepEqual(await reading, [1, 2, 3]);
});

Deno.test("Inbox drops the oldest unread items past its limit", async () => {
  const inbox = new Inbox<number>(3);
  for (let i = 1; i <= 2000; i++) inbox.push(i);
  assert.equal(inbox.size, 3);
  inbox.end();
  assert.deepEqual(await all(inbox.read()), [1998, 1999, 2000]);
});

Deno.test("Inbox has one reader at a time; a reader that breaks lets the next go on", async () => {
  const inbox = new Inbox<number>(10);
  for (const i of [1, 2, 3]) inbox.push(i);
  const first = inbox.read();
  assert.throws(() => inbox.read(), TypeError);
  assert.deepEqual(await first.next(), { value: 1, done: false });
  await first.return?.();
  assert.deepEqual(await first.next(), { value: undefined, done: true });
  inbox.end();
  assert.deepEqual(await all(inbox.read()), [2, 3]);
});

Deno.test("Inbox.end() with an error throws it to the reader, after what waits", async () => {
  const inbox = new Inbox<number>(10);
  inbox.push(1);
  const reader = inbox.read();
  inbox.end(new Error("lost"));
  inbox.push(2); // after the end: ignored
  assert.deepEqual(await reader.next(), { value: 1, done: false });
  await assert.rejects(reader.next(), /lost/);
});

Deno.test("Inbox.end() wakes a waiting reader", async () => {
  const inbox = new Inbox<number>(10);
  const waiting = inbox.read().next();
  inbox.end();
  assert.deepEqual(await waiting, { value: undefined, done: true });
  assert.throws(() => new Inbox(0), RangeError);
});
