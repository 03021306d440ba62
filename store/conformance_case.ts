/**
 * The parts of the store conformance suite (`conformance.ts`): what a case
 * is, the stores it runs against, and what the cases share: members,
 * drafts, and waiting with a deadline.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Draft, Member, Store, StoredMessage } from "./store.ts";
import { pause } from "../util/turns.ts";

/** The bounds a store under test is made with; unset, the store's defaults. */
export interface StoreBounds {
  /** The most messages a room's history keeps. */
  historySize?: number;
  /** The most bytes a room's history takes, as the store counts them. */
  historyBytes?: number;
  /**
   * Milliseconds a room outlives its last use, for a store that keeps rooms
   * by itself (Redis); a store that forgets a room at `close()` ignores it.
   */
  historyTtl?: number;
}

/** One store made for one case; disposing it ends what it needed. */
export interface StoreUnderTest extends AsyncDisposable {
  /** The store the case uses. */
  readonly store: Store;
  /** Another store over the same rooms, as another node or worker has. */
  another?(): Promise<Store>;
  /** Loses every room's data at once, as a Redis restarted empty does. */
  wipe?(): Promise<void>;
}

/** A kind of store, as the suite runs it. */
export interface StoreKind {
  /** What the steps call it. */
  readonly name: string;
  /** Makes a store that holds no room yet. */
  make(bounds?: StoreBounds): Promise<StoreUnderTest>;
  /** Whether its stores have {@linkcode StoreUnderTest.another}. */
  readonly shares: boolean;
  /** Whether its stores have {@linkcode StoreUnderTest.wipe}. */
  readonly loses: boolean;
}

/** One expectation, run on a fresh store. */
export interface ConformanceCase {
  /** What every store does, as the step's name. */
  readonly name: string;
  /** The bounds its store is made with. */
  readonly bounds?: StoreBounds;
  /** What a kind must be able to do for the case to apply to it. */
  readonly needs?: "shares" | "loses";
  /** Runs the case; throws what failed. */
  run(setup: StoreUnderTest): Promise<void>;
}

/** A member whose token named a user. */
export const ADA: Member = { client: "c1", nick: "ada", user: "u-ada" };
/** A plain-mode member: no nick, no user. */
export const BOB: Member = { client: "c2", nick: null };

/** `before` with no position, as the admin API asks for the latest page. */
export const LATEST: number = Number.MAX_SAFE_INTEGER;

/** A feed for a case that does not look at what is fed. */
export function ignore(): void {}

/**
 * Opens `room` in `store` with a feed that keeps what it is fed, and
 * returns what it keeps, which grows as the store feeds it.
 */
export async function openFed(
  store: Store,
  room: string,
): Promise<StoredMessage[]> {
  const fed: StoredMessage[] = [];
  await store.open(room, (messages) => fed.push(...messages));
  return fed;
}

/** Drafts of `texts`, sent by ada and bob in turn. */
export function drafts(...texts: string[]): Draft[] {
  return texts.map((text, i) => ({ text, from: i % 2 === 0 ? ADA : BOB }));
}

/** Appends `drafts` in one `append()`, and returns the messages it stored. */
export async function appended(
  store: Store,
  room: string,
  drafts: readonly Draft[],
): Promise<StoredMessage[]> {
  return (await store.append(room, drafts)).messages;
}

/** Appends each of `texts` in an `append()` of its own. */
export async function appendEach(
  store: Store,
  room: string,
  texts: readonly string[],
): Promise<void> {
  for (const text of texts) await store.append(room, drafts(text));
}

/** The offsets of `messages`, in their order. */
export function offsets(messages: readonly StoredMessage[]): number[] {
  return messages.map((message) => message.offset);
}

/** `members` by client id: no store promises an order. */
export function byClient(members: readonly Member[]): Member[] {
  return [...members].sort((a, b) => a.client < b.client ? -1 : 1);
}

/**
 * Calls a store method and returns its promise; fails if the method throws
 * instead, since a throw escapes the caller's `.catch()`.
 */
export function promised<T>(what: string, call: () => Promise<T>): Promise<T> {
  let result: Promise<T>;
  try {
    result = call();
  } catch (error) {
    assert.fail(`${what} threw instead of rejecting: ${error}`);
  }
  assert.ok(result instanceof Promise, `${what} returned no promise`);
  return result;
}

/** Polls `check` until it holds; fails after `ms`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const start = Date.now();
  while (!await check()) {
    if (Date.now() - start > ms) {
      throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    }
    await pause(20);
  }
}
