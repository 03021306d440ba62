import assert from "node:assert/strict";
import { MemberList, pageOf } from "./member_list.ts";
import type { Member } from "../store/store.ts";

const member = (client: string): Member => ({ client, nick: null });
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

Deno.test("MemberList.apply() keeps the list as a fresh read would, without reading", async () => {
  // A small deterministic generator: the same random-looking steps each run.
  let seed = 7;
  const next = (n: number) =>
    (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const store = new Map<string, Member>();
  let reads = 0;
  const list = new MemberList(() => {
    reads++;
    return Promise.resolve([...store.values()]);
  });
  await list.all();
  for (let step = 0; step < 300; step++) {
    const joined: Member[] = [];
    const left: Member[] = [];
    // Mostly a few changes (made in place), now and then many (merged).
    const many = next(10) === 0 ? 60 : 6;
    for (let i = next(many); i > 0; i--) {
      joined.push({ client: `c${next(120)}`, nick: `n${step}` });
    }
    for (let i = next(many); i > 0; i--) left.push(member(`c${next(120)}`));
    // As the store records them: the leaves first, then the joins.
    for (const m of left) store.delete(m.client);
    for (const m of joined) store.set(m.client, m);
    list.apply(joined, left);
    const expected = [...store.values()].sort((a, b) =>
      a.client < b.client ? -1 : a.client > b.client ? 1 : 0
    );
    assert.deepEqual(await list.all(), expected, `step ${step}`);
  }
  assert.equal(reads, 1);
});

Deno.test("MemberList reads again once the list kept is older than maxAge", async () => {
  let clock = 0;
  let reads = 0;
  const list = new MemberList(() => {
    reads++;
    return Promise.resolve(members("a"));
  }, { maxAge: 1000, now: () => clock });
  await list.all();
  list.apply(members("b"), []);
  clock = 999;
  assert.deepEqual(await list.all(), members("a", "b"));
  clock = 1000;
  assert.deepEqual(await list.all(), members("a"), "the store's word wins");
  assert.equal(reads, 2);
});

Deno.test("MemberList.apply() merges many changes at once, before, among and after the members", async () => {
  const list = new MemberList(() => Promise.resolve(members("b", "d", "f")));
  await list.all();
  const joined = [
    ...Array.from({ length: 40 }, (_, i) => member(`a${i}`)),
    ...Array.from({ length: 40 }, (_, i) => member(`e${i}`)),
    ...Array.from({ length: 40 }, (_, i) => member(`z${i}`)),
    { client: "f", nick: "again" },
  ];
  list.apply(joined, [member("d")]);
  const expected = [...joined, member("b")]
    .filter((m) => m.client !== "f" || m.nick === "again")
    .sort((a, b) => a.client < b.client ? -1 : 1);
  assert.deepEqual(await list.all(), expected);
});
