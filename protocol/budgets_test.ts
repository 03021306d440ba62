import assert from "node:assert/strict";
import { Budgets, REFUSALS } from "./budgets.ts";

Deno.test("Budgets.spend() allows a burst of each kind, then refuses", () => {
  const budgets = new Budgets({
    joinRate: 1,
    historyRate: 2,
    createRate: 1,
    maxRooms: 3,
  });
  const spent = (kind: "joins" | "reads" | "creates") => {
    let n = 0;
    while (budgets.spend(kind) && n < 1000) n++;
    return n;
  };
  assert.equal(spent("joins"), 6);
  assert.equal(spent("reads"), 4);
  assert.equal(spent("creates"), 3);
});

Deno.test("Budgets.spend() never refuses a kind whose rate is 0", () => {
  const budgets = new Budgets({ joinRate: 0 });
  for (let i = 0; i < 1000; i++) assert.ok(budgets.spend("joins"));
});

Deno.test("Budgets.refuse() allows a burst of refusals, then says to give up", () => {
  const budgets = new Budgets();
  for (let i = 0; i < REFUSALS.burst; i++) assert.ok(budgets.refuse());
  assert.equal(budgets.refuse(), false);
});
