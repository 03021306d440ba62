import assert from "node:assert/strict";
import { closeFor, refusalClose } from "./closes.ts";
import { HISTORY_RESET, LEFT, LOST, QUEUE_FULL } from "../room/subscriber.ts";
import * as close from "../util/close_reasons.ts";

Deno.test("closeFor() gives each way a room lets a member go its close", () => {
  assert.equal(closeFor(LEFT), undefined, "leaving closes nothing");
  assert.equal(closeFor(QUEUE_FULL), close.QUEUE_FULL);
  assert.equal(closeFor(HISTORY_RESET), close.HISTORY_RESET);
  assert.equal(closeFor(LOST), close.UNAVAILABLE);
  const restart = close.SERVICE_RESTART;
  assert.equal(closeFor({ kind: "closed", close: restart }), restart);
});

Deno.test("refusalClose() closes a plain join turned away with 1013", () => {
  assert.equal(refusalClose("room_full"), close.ROOM_FULL);
  assert.equal(refusalClose("unavailable"), close.UNAVAILABLE);
  assert.equal(close.ROOM_FULL.code, 1013);
});
