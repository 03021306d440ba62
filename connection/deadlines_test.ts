import assert from "node:assert/strict";
import { Deadlines } from "./deadlines.ts";
import {
  type CloseReason,
  SILENT,
  TOKEN_EXPIRED,
} from "../util/close_reasons.ts";
import { deadline } from "../test_util/natter.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recorder() {
  const closes: CloseReason[] = [];
  const first = Promise.withResolvers<CloseReason>();
  return {
    closes,
    first: first.promise,
    timedOut(close: CloseReason) {
      closes.push(close);
      first.resolve(close);
    },
  };
}

Deno.test("Deadlines close a connection silent past its first-frame timeout", async () => {
  const owner = recorder();
  new Deadlines({ firstFrameTimeout: 10 }, owner).start();
  assert.equal(await deadline(owner.first, "the silent close"), SILENT);
});

Deno.test("Deadlines close a connection whose token expired", async () => {
  const owner = recorder();
  const expires = Date.now() + 10;
  new Deadlines({ firstFrameTimeout: 0, expires }, owner).start();
  assert.equal(await deadline(owner.first, "the expiry"), TOKEN_EXPIRED);
});

Deno.test("Deadlines.framed() and stop() keep them from passing", async () => {
  const owner = recorder();
  const framed = new Deadlines({ firstFrameTimeout: 10 }, owner);
  framed.start();
  framed.framed();
  const stopped = new Deadlines({
    firstFrameTimeout: 10,
    expires: Date.now() + 10,
  }, owner);
  stopped.start();
  stopped.stop();
  await pause(40);
  assert.deepEqual(owner.closes, []);
});
