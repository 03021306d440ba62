import assert from "node:assert/strict";
import { PlainSession } from "./plain.ts";
import type { Link } from "../connection/link.ts";
import type { Batch } from "../room/batch.ts";
import { Rooms } from "../room/rooms.ts";
import { LINES } from "./lines.ts";
import { MemoryStore } from "../store/memory.ts";
import { TokenBucket } from "../util/bucket.ts";
import type { CloseReason } from "../util/close_reasons.ts";
import { deadline } from "../test_util/natter.ts";

/** A connection without a socket: what the session queued and closed. */
class FakeLink implements Link {
  readonly id: string;
  readonly frames: string[] = [];
  releases: (CloseReason | undefined)[] = [];
  refusals: CloseReason[] = [];
  #wake?: () => void;

  constructor(id: string) {
    this.id = id;
  }

  offer(batch: Batch): boolean {
    this.frames.push(batch.frame(LINES));
    this.#wake?.();
    return true;
  }

  reply(): void {
    throw new TypeError("A plain connection is never replied to");
  }

  release(close?: CloseReason): void {
    this.releases.push(close);
  }

  refuse(close: CloseReason): void {
    this.refusals.push(close);
  }

  /** Waits for a frame holding `text`. */
  frame(text: string): Promise<void> {
    return deadline(
      new Promise<void>((resolve) => {
        const check = () => {
          if (this.frames.some((f) => f.includes(text))) resolve();
          else this.#wake = check;
        };
        check();
      }),
      `a frame with "${text}"`,
    );
  }
}

function plain(link: FakeLink, rooms: Rooms, rate?: TokenBucket) {
  return new PlainSession(link, {
    room: "lobby",
    member: { client: link.id, nick: null },
    rooms,
    maxMessageSize: 8,
    rate,
  });
}

Deno.test("PlainSession joins on open and hands each message to the room, normalised (I1)", async () => {
  await using rooms = new Rooms(new MemoryStore());
  const [a, b] = [new FakeLink("a"), new FakeLink("b")];
  const [sa, sb] = [plain(a, rooms), plain(b, rooms)];
  sa.open();
  sb.open();
  sa.read(" hi\n");
  await b.frame("hi");
  assert.ok(b.frames.includes("hi"), `${b.frames}`);
  assert.deepEqual(sa.rooms(), ["lobby"]);
  sa.leave();
  sb.leave();
});

Deno.test("PlainSession closes the connection for what it must refuse", async (t) => {
  await using rooms = new Rooms(new MemoryStore());
  await t.step("a message over the limit: 1009", () => {
    const link = new FakeLink("big");
    plain(link, rooms).read("123456789");
    assert.deepEqual(link.refusals.map((c) => c.code), [1009]);
  });
  await t.step("a message over the rate: 1008", () => {
    const link = new FakeLink("fast");
    const session = plain(link, rooms, new TokenBucket(1, 1));
    session.read("one");
    session.read("two");
    assert.deepEqual(link.refusals, [
      { code: 1008, reason: "rate limit exceeded" },
    ]);
  });
  await t.step("a join the room turns away: 1013, full or unavailable", () => {
    const link = new FakeLink("late");
    const session = plain(link, rooms);
    session.refused("room_full");
    session.refused("unavailable");
    assert.deepEqual(link.releases.map((c) => c?.reason), [
      "room is full",
      "message store unavailable",
    ]);
  });
});
