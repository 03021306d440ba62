/**
 * How the Redis store writes messages and members into Redis and reads
 * them back: short JSON that a Lua script can complete without decoding.
 *
 * A history entry is `{"o":OFFSET,"t":TS,"c":CLIENT,"n":NICK,"x":TEXT}`,
 * with `"u":USER` after the nick when the sender's token named one;
 * the store sends it without its offset (everything after the `{`), and
 * the append script puts the offset in front. A published batch is
 * `{"e":EPOCH,"m":[entry...]}`; a published presence change is
 * `{"o":NODE,"j":[member...],"l":[member...]}`, where `o` names the node
 * whose Hub already told its own members ("" when none did).
 *
 * @module
 */

import type { Draft, Member, StoredMessage } from "./store.ts";

/** A history entry as JSON.parse gives it back. */
interface Entry {
  o: number;
  t: number;
  c: string;
  n: string | null;
  /** The sender's token user, when it had one. */
  u?: string;
  x: string;
}

/** A member as stored in the room's member hash. */
interface StoredMember {
  client: string;
  nick: string | null;
  user?: string;
  node?: string;
}

/** What arrives on a room's channel. */
export type Published =
  | { kind: "messages"; epoch: string; messages: StoredMessage[] }
  | { kind: "presence"; origin: string; joined: Member[]; left: Member[] };

/** A draft's history entry without its offset, for the append script. */
export function entryTail(draft: Draft, ts: number): string {
  return JSON.stringify({
    t: ts,
    c: draft.from.client,
    n: draft.from.nick,
    u: draft.from.user,
    x: draft.text,
  }).slice(1);
}

function fromEntry(room: string, entry: Entry): StoredMessage {
  return {
    room,
    offset: entry.o,
    ts: entry.t,
    text: entry.x,
    from: entry.u === undefined
      ? { client: entry.c, nick: entry.n }
      : { client: entry.c, nick: entry.n, user: entry.u },
  };
}

/** The messages of history entries read from Redis. */
export function decodeEntries(
  room: string,
  entries: readonly string[],
): StoredMessage[] {
  return entries.map((entry) => fromEntry(room, JSON.parse(entry)));
}

/** A member as the room's member hash holds it: with its node. */
export function memberValue(member: Member, node: string): string {
  const { client, nick, user } = member;
  return JSON.stringify({ client, nick, user, node });
}

function toMember(stored: StoredMember): Member {
  const { client, nick, user } = stored;
  return user === undefined ? { client, nick } : { client, nick, user };
}

/** The members of the room's member hash, without their nodes. */
export function decodeMembers(values: readonly string[]): Member[] {
  return values.map((value) => toMember(JSON.parse(value)));
}

/** What a message on a room's channel says. */
export function decodePublished(room: string, payload: string): Published {
  const data = JSON.parse(payload);
  if (typeof data.e === "string") {
    const messages = (data.m as Entry[]).map((entry) => fromEntry(room, entry));
    return { kind: "messages", epoch: data.e, messages };
  }
  return {
    kind: "presence",
    origin: data.o,
    joined: (data.j as StoredMember[]).map(toMember),
    left: (data.l as StoredMember[]).map(toMember),
  };
}
