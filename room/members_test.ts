import assert from "node:assert/strict";
import { Members, NOBODY } from "./members.ts";
import type { Subscriber } from "./subscriber.ts";
import type { Member } from "../store/store.ts";
import { NO_METER } from "../util/meter.ts";

const subscriber = (): Subscriber => ({
  offer: () => true,
  release() {},
  refused() {},
});

Deno.test("Members.departing() takes each member once, and no one who is not a member", () => {
  const members = new Members(NO_METER);
  const [a, b, stranger] = [subscriber(), subscriber(), subscriber()];
  members.add(a, { client: "a", nick: "ada" });
  members.add(b, { client: "b", nick: "bo" });
  const left: Member[] = [{ client: "x", nick: null }];
  const leaving = members.departing([a, stranger, a, b], left);
  assert.deepEqual([...leaving], [a, b]);
  assert.deepEqual(left.map((m) => m.client), ["x", "a", "b"]);
  // Still members until the turn lets them go.
  assert.ok(members.has(a) && members.has(b));
  assert.equal(members.departing([], left), NOBODY);
});
