import assert from "node:assert/strict";
import { Budgets } from "./budgets.ts";
import { joinRefusal, tooFast } from "./join_refusal.ts";

const budgets = () =>
  new Budgets({ joinRate: 1, createRate: 1, historyRate: 1, maxRooms: 1 });

Deno.test("joinRefusal() checks in order and spends a budget only for a join that passed the checks before it", () => {
  const spent = budgets();
  const joined = { rooms: new Map([["a", 1]]), maxRooms: 1, budgets: spent };
  assert.equal(
    joinRefusal(joined, "a", { creates: false })?.code,
    "already_joined",
  );
  const limited = {
    rooms: new Map(),
    identity: { user: "u", rooms: ["team-*"] },
    maxRooms: 1,
    budgets: spent,
  };
  assert.equal(
    joinRefusal(limited, "lobby", { creates: true })?.code,
    "forbidden",
  );
  assert.equal(
    joinRefusal(joined, "b", { creates: true })?.code,
    "too_many_rooms",
  );
  // None of those spent anything: the burst of joins (2) and creations (1)
  // is all there.
  const free = { rooms: new Map(), maxRooms: 1, budgets: spent };
  assert.equal(joinRefusal(free, "b", { creates: true }), undefined);
  assert.deepEqual(
    joinRefusal(free, "c", { creates: true }),
    tooFast("new rooms"),
  );
  // That refusal spent a join: the burst of two is gone.
  assert.deepEqual(
    joinRefusal(free, "d", { creates: false }),
    tooFast("joins and leaves"),
  );
  assert.equal(tooFast("x").code, "rate_limited");
});
