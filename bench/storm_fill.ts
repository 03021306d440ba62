/**
 * Before a storm: one client joins the room, posts its history, waits for
 * every `ack`, and leaves, so that the room holds messages and no member
 * when the storm begins (the storm's clients alone can fill a room of
 * `--max-members`).
 *
 * @module
 */

import { joinRoom } from "./storm_client.ts";

/** Where the room stands once filled: its epoch and newest offset. */
export interface Filled {
  epoch: string;
  offset: number;
}

// deno-lint-ignore no-explicit-any
type Event = Record<string, any>;

/** Characters of each history message. */
const SIZE = 100;

/**
 * Posts `count` messages of 100 characters to `room` at `url` from one
 * client, which then leaves. Throws if the join or a message is refused,
 * or if it all takes longer than `timeout` milliseconds.
 *
 * @example
 * ```ts
 * const { epoch, offset } = await fillRoom("ws://127.0.0.1:8080/ws", "storm", {
 *   count: 60,
 *   timeout: 30_000,
 * });
 * ```
 */
export async function fillRoom(
  url: string,
  room: string,
  options: { count: number; timeout: number },
): Promise<Filled> {
  const { count, timeout } = options;
  const done = Promise.withResolvers<void>();
  const fail = (why: string) =>
    done.reject(new Error(`Cannot fill "${room}": ${why}`));
  let filled: Filled = { epoch: "", offset: 0 };
  const outcome = await joinRoom({ url, room, nick: "filler", timeout }, (
    { socket, frame },
  ) => {
    const reply = (JSON.parse(frame) as Event[]).find((e) =>
      e.type === "joined"
    )!;
    filled = { epoch: reply.epoch, offset: reply.offset };
    const leave = JSON.stringify({ type: "leave", id: 0, room });
    let acks = 0;
    socket.onmessage = (message) => {
      for (const event of JSON.parse(message.data) as Event[]) {
        if (event.type === "error") fail(event.code);
        else if (event.type === "ack") {
          filled.offset = Math.max(filled.offset, event.offset);
          if (++acks === count) socket.send(leave);
        } else if (event.type === "left") done.resolve();
      }
    };
    socket.onclose = (event) => fail(`closed ${event.code}`);
    if (count === 0) socket.send(leave);
    for (let i = 1; i <= count; i++) {
      const head = `storm history ${i} `;
      const text = head + "x".repeat(SIZE - head.length);
      socket.send(JSON.stringify({ type: "send", id: i, room, text }));
    }
  });
  if ("failure" in outcome) fail(outcome.failure);
  const timer = setTimeout(() => fail("timed out"), timeout);
  try {
    await done.promise;
  } finally {
    clearTimeout(timer);
    if ("socket" in outcome) {
      outcome.socket.onmessage = outcome.socket.onclose = null;
      outcome.socket.close();
    }
  }
  return filled;
}
