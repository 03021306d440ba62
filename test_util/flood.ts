/**
 * Helpers of the flood tests, over plain HTTP and over TLS: clients that
 * chat and prove they hear one another, and a fresh client after a flood.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ChatClient } from "./natter.ts";

/** Every client of `clients` says something; all of them hear all of it. */
export async function chat(clients: ChatClient[], tag: string): Promise<void> {
  const before = clients.map((c) => c.messages.length);
  clients.forEach((c, i) => c.send(`${tag} ${i}`));
  const expected = clients.map((_, i) => `${tag} ${i}`).sort();
  await Promise.all(clients.map(async (c, i) => {
    await c.waitForMessages(before[i] + clients.length);
    const heard = c.messages.slice(before[i]).filter((m) =>
      m.startsWith(`${tag} `)
    );
    assert.deepEqual(heard.sort(), expected, `client ${i}`);
  }));
}

/**
 * A fresh client connects to `url` (through `client`, for wss with a
 * certificate of the test's own) and hears itself.
 */
export async function freshClient(
  url: string,
  client?: Deno.HttpClient,
): Promise<void> {
  await using fresh = await ChatClient.open(url, { client });
  fresh.send("after the flood");
  assert.deepEqual(await fresh.waitForMessages(1), ["after the flood"]);
}

/** Closes every client of `clients`. */
export async function closeAll(clients: ChatClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c[Symbol.asyncDispose]()));
}
