import assert from "node:assert/strict";
import { TokenError } from "../auth/token.ts";
import { Rooms } from "../room/rooms.ts";
import { MemoryStore } from "../store/memory.ts";
import { deadline } from "../test_util/natter.ts";
import { IpCounts } from "./listen/ip_slots.ts";
import {
  type Pass,
  SUBPROTOCOL,
  UpgradeGate,
  type UpgradeGateOptions,
} from "./upgrade_gate.ts";

const LOBBY_URL = new URL("http://127.0.0.1/ws/lobby");
const TARGET = { url: LOBBY_URL, room: "lobby", ip: "10.0.0.1" };

/** A valid WebSocket opening handshake, with `headers` added. */
function upgrade(headers: Record<string, string> = {}): Request {
  return new Request(LOBBY_URL, {
    headers: {
      connection: "Upgrade",
      upgrade: "websocket",
      "sec-websocket-version": "13",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      ...headers,
    },
  });
}

/** A gate over fresh rooms; the rooms close with the returned disposable. */
function gateOf(options: UpgradeGateOptions): UpgradeGate & AsyncDisposable {
  const rooms = new Rooms(new MemoryStore());
  return Object.assign(new UpgradeGate(rooms, options), {
    [Symbol.asyncDispose]: () => rooms.close(),
  });
}

function assertPass(checked: Pass | Response): Pass {
  if (checked instanceof Response) {
    assert.fail(`refused with ${checked.status}`);
  }
  return checked;
}

function assertStatus(checked: Pass | Response, status: number): void {
  assert.ok(checked instanceof Response, "let through");
  assert.equal(checked.status, status);
}

/** A client WebSocket that closes soon: nothing listens on its port. */
function doomedSocket(): WebSocket {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
  socket.onerror = () => {};
  return socket;
}

Deno.test("UpgradeGate.check() answers a handshake it refuses with its status and version 13", async () => {
  await using gate = gateOf({});
  const checked = await gate.check(
    upgrade({ "sec-websocket-version": "8" }),
    TARGET,
  );
  assertStatus(checked, 400);
  assert.ok(checked instanceof Response);
  assert.equal(checked.headers.get("sec-websocket-version"), "13");
});

Deno.test("UpgradeGate.check() chooses natter.v1 when it is offered, else the plain room", async (t) => {
  await using gate = gateOf({});
  await t.step("offered", async () => {
    using pass = assertPass(
      await gate.check(
        upgrade({ "sec-websocket-protocol": `chat, ${SUBPROTOCOL}` }),
        TARGET,
      ),
    );
    assert.equal(pass.protocol, SUBPROTOCOL);
    assert.equal(pass.room, undefined);
  });
  await t.step("not offered", async () => {
    using pass = assertPass(await gate.check(upgrade(), TARGET));
    assert.equal(pass.protocol, undefined);
    assert.equal(pass.room, "lobby");
  });
});

Deno.test("UpgradeGate.check() holds the slots until the pass is disposed of", async (t) => {
  for (
    const [options, status] of [
      [{ maxConnections: 1 }, 503],
      [{ maxConnectionsPerIp: 1 }, 429],
    ] as const
  ) {
    await t.step(`${JSON.stringify(options)}: ${status}`, async () => {
      await using gate = gateOf(options);
      const pass = assertPass(await gate.check(upgrade(), TARGET));
      assertStatus(await gate.check(upgrade(), TARGET), status);
      pass[Symbol.dispose]();
      using again = assertPass(await gate.check(upgrade(), TARGET));
      assert.equal(again.room, "lobby");
    });
  }
});

Deno.test("UpgradeGate.check() gives back the slots of an upgrade it refuses", async () => {
  await using gate = gateOf({
    maxConnections: 1,
    maxConnectionsPerIp: 1,
    verifier: (token) =>
      token === "good"
        ? Promise.resolve({ user: "u", rooms: ["lobby"] })
        : Promise.reject(new TokenError(`Token "${token}" is not valid`)),
  });
  assertStatus(await gate.check(upgrade(), TARGET), 401);
  const bad = { authorization: "Bearer bad" };
  assertStatus(await gate.check(upgrade(bad), TARGET), 401);
  const good = { authorization: "Bearer good" };
  const other = { ...TARGET, room: "other" };
  assertStatus(await gate.check(upgrade(good), other), 403);
  using pass = assertPass(await gate.check(upgrade(good), TARGET));
  assert.equal(pass.identity?.user, "u");
});

Deno.test("Pass.upgraded() counts the socket in the pass's place until it closes", async (t) => {
  for (
    const [options, status] of [
      [{ maxConnections: 1 }, 503],
      [{ maxConnectionsPerIp: 1 }, 429],
    ] as const
  ) {
    await t.step(`${JSON.stringify(options)}: ${status}`, async () => {
      await using gate = gateOf(options);
      const socket = doomedSocket();
      {
        using pass = assertPass(await gate.check(upgrade(), TARGET));
        pass.upgraded(socket);
      }
      // Listening after the gate, this hears the close after it did.
      const closed = new Promise((resolve) => {
        socket.addEventListener("close", resolve, { once: true });
      });
      assertStatus(await gate.check(upgrade(), TARGET), status);
      await deadline(closed, "the socket to close");
      using again = assertPass(await gate.check(upgrade(), TARGET));
      assert.equal(again.room, "lobby");
    });
  }
});

Deno.test("UpgradeGate.check() refuses handshakes over acceptRate with 503 and Retry-After, before the slots and the token", async () => {
  let verified = 0;
  const slots = new IpCounts(Infinity);
  await using gate = gateOf({
    acceptRate: 5,
    ipSlots: slots,
    verifier: () => {
      verified++;
      return Promise.resolve({ user: "u" });
    },
  });
  const token = { authorization: "Bearer t" };
  for (let i = 0; i < 5; i++) {
    using pass = assertPass(await gate.check(upgrade(token), TARGET));
    assert.equal(pass.identity?.user, "u", `${i}`);
  }
  const refused = await gate.check(upgrade(token), TARGET);
  assertStatus(refused, 503);
  assert.ok(refused instanceof Response);
  const retryAfter = Number(refused.headers.get("retry-after"));
  assert.ok(retryAfter >= 1, `Retry-After ${retryAfter}`);
  assert.equal(verified, 5, "the refused one was verified");
  assert.deepEqual(slots.entries(), [], "the refused one holds a place");
  // A fifth of a second brings one more.
  await new Promise((resolve) => setTimeout(resolve, 300));
  using again = assertPass(await gate.check(upgrade(token), TARGET));
  assert.equal(again.room, "lobby");
});

Deno.test("UpgradeGate.check() spends nothing of acceptRate on a handshake it refuses before the rate", async () => {
  await using gate = gateOf({ acceptRate: 2, maxConnections: 1 });
  for (let i = 0; i < 20; i++) {
    assertStatus(
      await gate.check(upgrade({ "sec-websocket-key": "short" }), TARGET),
      400,
    );
  }
  const first = assertPass(await gate.check(upgrade(), TARGET));
  for (let i = 0; i < 20; i++) {
    const full = await gate.check(upgrade(), TARGET);
    assertStatus(full, 503);
    assert.ok(full instanceof Response);
    assert.equal(full.headers.get("retry-after"), null, "refused by the rate");
  }
  first[Symbol.dispose]();
  {
    using second = assertPass(await gate.check(upgrade(), TARGET));
    assert.equal(second.room, "lobby");
  }
  const over = await gate.check(upgrade(), TARGET);
  assertStatus(over, 503);
  assert.ok(over instanceof Response);
  assert.notEqual(over.headers.get("retry-after"), null);
});

Deno.test("UpgradeGate.check() has no accept rate when acceptRate is 0", async () => {
  await using gate = gateOf({ acceptRate: 0 });
  for (let i = 0; i < 1_000; i++) {
    using pass = assertPass(await gate.check(upgrade(), TARGET));
    assert.equal(pass.room, "lobby");
  }
});
