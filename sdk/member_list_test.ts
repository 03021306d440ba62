import assert from "node:assert/strict";
import type { Member, MembersEvent, PresenceEvent } from "./frames.ts";
import { MemberList } from "./member_list.ts";

const member = (i: number): Member => ({ client: `c-${i}`, nick: `n${i}` });

function presence(
  joined: number[],
  left: number[],
  count: number,
): PresenceEvent {
  return {
    type: "presence",
    room: "den",
    joined: joined.map(member),
    left: left.map(member),
    count,
  };
}

/** A list over a room of `members`, read two at a time; counts the reads. */
function paged(members: () => number[]) {
  const reads: (string | undefined)[] = [];
  const list = new MemberList((after) => {
    reads.push(after);
    const all = members().map(member);
    const from = after === undefined
      ? 0
      : all.findIndex((m) => m.client === after) + 1;
    const page = all.slice(from, from + 2);
    const more = from + 2 < all.length;
    const reply: MembersEvent = {
      type: "members",
      id: 1,
      room: "den",
      members: page,
      count: all.length,
      next: more ? page[page.length - 1].client : null,
    };
    return Promise.resolve(reply);
  });
  return { list, reads };
}

const nicks = (list: MemberList) =>
  [...list.members.values()].map((m) => m.nick);

Deno.test("MemberList keeps the join's list current with presence lists", () => {
  const { list, reads } = paged(() => []);
  list.joined([member(1), member(2)], 2);
  assert.equal(list.listed, true);
  list.presence(presence([3], [1], 2));
  assert.deepEqual(nicks(list), ["n2", "n3"]);
  assert.equal(list.count, 2);
  assert.equal(list.listed, true);
  assert.deepEqual(reads, []);
});

Deno.test("MemberList: a first page of a larger room is not the list until read", async () => {
  let room = [1, 2, 3, 4, 5];
  const { list, reads } = paged(() => room);
  list.joined([member(1), member(2)], 5);
  assert.equal(list.listed, false);
  room = [1, 2, 3, 4, 5, 6];
  await list.read();
  assert.deepEqual(nicks(list), ["n1", "n2", "n3", "n4", "n5", "n6"]);
  assert.deepEqual(reads, [undefined, "c-2", "c-4"]);
  assert.equal(list.count, 6);
  assert.equal(list.listed, true);
});

Deno.test("MemberList: count-only presence unlists; lists coming back read it all again", async () => {
  let room = [1, 2];
  const { list, reads } = paged(() => room);
  list.joined([member(1), member(2)], 2);
  list.presence(presence([], [], 500)); // too large for lists
  assert.equal(list.listed, false);
  assert.equal(list.count, 500);
  assert.deepEqual(reads, []);
  room = [1, 7, 8];
  list.presence(presence([8], [], 3)); // back below the size
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(reads, [undefined, "c-7"], "it read on its own");
  assert.deepEqual(nicks(list), ["n1", "n7", "n8"]);
  assert.equal(list.listed, true);
});

Deno.test("MemberList: presence during a reading reaches the list read", async () => {
  const room = [1, 2, 3];
  let release = () => {};
  const gate = new Promise<void>((resolve) => release = resolve);
  const list = new MemberList(async () => {
    await gate;
    return {
      type: "members",
      id: 1,
      room: "den",
      members: room.map(member),
      count: 3,
      next: null,
    };
  });
  list.joined([member(1)], 3);
  const reading = list.read();
  assert.equal(list.read() instanceof Promise, true, "a reading is shared");
  list.presence(presence([4], [], 4));
  release();
  await reading;
  assert.deepEqual(nicks(list).toSorted(), ["n1", "n2", "n3", "n4"]);
});

Deno.test("MemberList.joined() again says who came and went meanwhile", () => {
  const { list } = paged(() => []);
  assert.deepEqual(list.joined([member(1), member(2)], 2), {
    joined: [],
    left: [],
  });
  const change = list.joined([member(2), member(3)], 2);
  assert.deepEqual(change, { joined: [member(3)], left: [member(1)] });
  // A first page of a larger room says nothing of who left.
  assert.deepEqual(list.joined([member(2)], 5), { joined: [], left: [] });
});
