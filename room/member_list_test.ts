import assert from "node:assert/strict";
import { MemberList, pageOf } from "./member_list.ts";
import type { Member } from "../store/store.ts";

const members = (...ids: string[]): Member[] =>
  ids.map((client) => ({ client, nick: null }));

Deno.test("pageOf() pages members after a client id, with count and next (C8)", () => {
  const sorted = members("a", "b", "c", "d", "e");
  assert.deepEqual(pageOf(sorted, undefined, 2), {
    members: members("a", "b"),
    count: 5,
    next: "b",
  });
  assert.deepEqual(pageOf(sorted, "b", 2).members, members("c", "d"));
  assert.deepEqual(pageOf(sorted, "d", 2), {
    members: members("e"),
    count: 5,
    next: null,
  });
  // An id that is no member reads on from where it would stand.
  assert.deepEqual(pageOf(sorted, "bb", 10).members, members("c", "d", "e"));
  assert.deepEqual(pageOf(sorted, "z", 10).members, []);
});

Deno.test("MemberList reads the store once per change of presence", async () => {
  let reads = 0;
  let current = members("c", "a", "b");
  const list = new MemberList(() => {
    reads++;
    return Promise.resolve([...current]);
  });
  assert.deepEqual(await list.all(), members("a", "b", "c"));
  await list.page(undefined, 1);
  await list.page("a", 1);
  assert.equal(reads, 1);
  current = members("a");
  list.changed();
  assert.deepEqual((await list.page(undefined, 5)).members, members("a"));
  assert.equal(reads, 2);
});

Deno.test("MemberList does not keep a list read while presence changed", async () => {
  let reads = 0;
  let release!: () => void;
  const list = new MemberList(async () => {
    reads++;
    await new Promise<void>((resolve) => release = resolve);
    return members("old");
  });
  const reading = list.all();
  list.changed();
  release();
  assert.deepEqual(await reading, members("old"));
  // The stale read was not kept: the next one reads again.
  const next = list.all();
  assert.equal(reads, 2);
  release();
  await next;
});
