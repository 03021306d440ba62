import assert from "node:assert/strict";
import { Alarm } from "./alarm.ts";
import { deadline } from "../test_util/natter.ts";

Deno.test("Alarm rings once its moment has come, even one already past", async () => {
  const rang = Promise.withResolvers<number>();
  new Alarm(Date.now() + 20, () => rang.resolve(Date.now()));
  const past = Promise.withResolvers<void>();
  new Alarm(Date.now() - 1000, () => past.resolve());
  await deadline(past.promise, "the alarm for a moment past");
  assert.ok(await deadline(rang.promise, "the alarm") >= Date.now() - 1000);
});

Deno.test("Alarm waits for a moment weeks away, and stop() keeps it from ringing", async () => {
  let rang = 0;
  const near = new Alarm(Date.now() + 10, () => rang++);
  near.stop();
  // Weeks away: more than setTimeout can wait in one go.
  const far = new Alarm(Date.now() + 40 * 24 * 3600 * 1000, () => rang++);
  await new Promise((resolve) => setTimeout(resolve, 50));
  far.stop();
  assert.equal(rang, 0);
});
