import assert from "node:assert/strict";
import { deadline } from "../test_util/natter.ts";
import { Throttle } from "./throttle.ts";

Deno.test("Throttle pauses a refused budget, then lets one command at a time go", async () => {
  let woken = () => {};
  const throttle = new Throttle(() => woken(), { initial: 20, max: 40 });
  try {
    throttle.sent("read");
    throttle.sent("read");
    throttle.refused("read");
    assert.equal(throttle.admits("read"), false, "paused");
    assert.equal(throttle.admits("send"), true, "other budgets go on");
    throttle.refused("read"); // sent before the pause: it does not prolong it
    await deadline(new Promise<void>((r) => woken = r), "the pause to end");
    assert.equal(throttle.admits("read"), true);
    throttle.sent("read");
    assert.equal(throttle.admits("read"), false, "one at a time");
    throttle.granted("read");
    assert.equal(throttle.admits("read"), true);
  } finally {
    throttle.close();
  }
});

Deno.test("Throttle frees a budget after enough grants in a row", () => {
  const throttle = new Throttle(() => {}, { initial: 0, max: 0 });
  try {
    throttle.sent("send");
    throttle.refused("send");
    for (let i = 0; i < 16; i++) {
      assert.equal(throttle.admits("send"), true);
      throttle.sent("send");
      if (i < 15) assert.equal(throttle.admits("send"), false, `grant ${i}`);
      throttle.granted("send");
    }
    throttle.sent("send");
    assert.equal(throttle.admits("send"), true, "free: many in flight");
  } finally {
    throttle.close();
  }
});

Deno.test("Throttle: a dropped socket has nothing in flight", () => {
  const throttle = new Throttle(() => {}, { initial: 0, max: 0 });
  try {
    throttle.sent("join");
    throttle.refused("join");
    throttle.sent("join");
    assert.equal(throttle.admits("join"), false);
    throttle.dropped();
    assert.equal(throttle.admits("join"), true);
  } finally {
    throttle.close();
  }
});
