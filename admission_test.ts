import assert from "node:assert/strict";
import { Admission, defaultLimits, RESERVED_DESCRIPTORS } from "./admission.ts";
import { deadline } from "./test_util/natter.ts";

Deno.test("defaultLimits() keeps descriptors for the process and room for refusals", async (t) => {
  await t.step("ulimit -n 20000", () => {
    assert.deepEqual(defaultLimits(19978), { sockets: 19914, clients: 18890 });
  });
  await t.step("ulimit -n 1024", () => {
    assert.deepEqual(defaultLimits(1000), { sockets: 936, clients: 842 });
  });
  await t.step("ulimit -n 256", () => {
    assert.deepEqual(defaultLimits(234), { sockets: 170, clients: 153 });
  });
  await t.step("almost nothing free still admits one client", () => {
    const limits = defaultLimits(RESERVED_DESCRIPTORS);
    assert.ok(limits.clients >= 1 && limits.clients < limits.sockets);
  });
});

Deno.test("Admission.admits() refuses at the cap and logs once per episode", () => {
  const log: string[] = [];
  const admission = new Admission(20, {
    full: "full",
    log: (l) => log.push(l),
  });
  const items = Array.from({ length: 20 }, () => ({}));
  for (const item of items) {
    assert.ok(admission.admits());
    admission.add(item);
  }
  assert.equal(admission.size, 20);
  assert.equal(admission.admits(), false);
  assert.equal(admission.admits(), false);
  assert.deepEqual(log, ["full"]);
  // One leaves and another takes its place: the same episode.
  admission.release(items[0]);
  admission.release(items[0]);
  assert.equal(admission.size, 19);
  assert.ok(admission.admits());
  admission.add(items[0]);
  assert.equal(admission.admits(), false);
  assert.deepEqual(log, ["full"]);
  // A tenth below the cap ends the episode; the next refusal logs again.
  admission.release(items[0]);
  admission.release(items[1]);
  admission.add(items[0]);
  admission.add(items[1]);
  assert.equal(admission.admits(), false);
  assert.deepEqual(log, ["full", "full"]);
});

Deno.test("Admission releases a WebSocket when it closes", async () => {
  const admission = new Admission(1);
  await using server = Deno.serve({ port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    admission.add(socket);
    socket.onopen = () => socket.close(1000);
    return response;
  });
  const client = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
  await deadline(
    new Promise((resolve) => client.onclose = resolve),
    "the socket to close",
  );
  for (let i = 0; i < 100 && admission.size > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(admission.size, 0);
});

Deno.test("Admission() refuses a cap below 1", () => {
  assert.throws(() => new Admission(0), RangeError);
  assert.throws(() => new Admission(NaN), /"NaN"/);
});
