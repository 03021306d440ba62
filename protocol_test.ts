import assert from "node:assert/strict";
import {
  ChatClient,
  deadline,
  openClients,
  startServer,
  type TestServer,
  until,
} from "./test_util/natter.ts";
import { type Frame, Opcode, rawHandshake } from "./test_util/raw_ws.ts";

const decoder = new TextDecoder();

Deno.test("I1, I2: messages are normalised, and an empty one is still sent", async () => {
  await using server = startServer();
  const [a, b] = await openClients(server, 2);
  await using _a = a;
  await using _b = b;
  for (const m of ["  a\nb \n", "x\r\ny\tz", "\u00a0uni\u3000", " \n\t "]) {
    a.send(m);
  }
  a.send("end");
  const expected = ["a b", "x\r y\tz", "uni", "", "end"];
  assert.deepEqual(await a.waitForMessages(5), expected);
  assert.deepEqual(await b.waitForMessages(5), expected);
});

Deno.test("I4: every client sees every message, its own included, in one order", async () => {
  await using server = startServer();
  const clients = await openClients(server, 4);
  const perClient = 50;
  for (let i = 0; i < perClient; i++) {
    clients.forEach((c, n) => c.send(`c${n}-${i}`));
  }
  const total = clients.length * perClient;
  const seen = await Promise.all(clients.map((c) => c.waitForMessages(total)));
  for (const messages of seen) {
    assert.equal(messages.length, total);
    assert.deepEqual(messages, seen[0], "same global order everywhere");
  }
  for (let n = 0; n < clients.length; n++) {
    const own = seen[0].filter((m) => m.startsWith(`c${n}-`));
    assert.deepEqual(
      own,
      Array.from({ length: perClient }, (_, i) => `c${n}-${i}`),
    );
  }
  await Promise.all(clients.map((c) => c[Symbol.asyncDispose]()));
});

Deno.test("I5: a close frame is answered and the client unregistered, without an error logged", async () => {
  const log: string[] = [];
  await using server = startServer({ log: (line) => log.push(line) });
  const { conn } = await rawHandshake(server.addr);
  assert(conn);
  await using _conn = conn;
  await until(() => server.members() === 1, "the client to register");
  await conn.close(1000, "bye");
  const answer = await deadline(conn.readClose(), "the close answer");
  assert.equal(answer.code, 1000);
  await until(() => server.members() === 0, "the client to unregister");
  // A dropped TCP connection is not an error either.
  const { conn: dropped } = await rawHandshake(server.addr);
  assert(dropped);
  await until(() => server.members() === 1, "the second client to register");
  dropped.abort();
  await until(() => server.members() === 0, "the dropped client to unregister");
  assert.deepEqual(log, []);
});

Deno.test("O1: queued messages are coalesced into one frame, joined by LF", async () => {
  await using server = startServer();
  const { conn: reader } = await rawHandshake(server.addr);
  assert(reader);
  await using _reader = reader;
  const sender = await ChatClient.open(server.wsUrl);
  await using _sender = sender;
  await until(() => server.members() === 2, "both clients to register");
  const count = 500;
  for (let i = 0; i < count; i++) sender.send(`m${i}`);
  const received: string[] = [];
  let frames = 0;
  while (received.length < count) {
    const frame: Frame | null = await deadline(reader.readFrame(), "a frame");
    assert(frame, "connection ended early");
    assert.equal(frame.opcode, Opcode.Text);
    const text = decoder.decode(frame.payload);
    assert(!text.endsWith("\n"), "no trailing LF");
    received.push(...text.split("\n"));
    frames++;
  }
  assert.deepEqual(received, Array.from({ length: count }, (_, i) => `m${i}`));
  assert(frames < count, `${count} messages came in ${frames} frames`);
});

/**
 * Connects a raw reader that never reads, then a sender and a reader, and
 * sends 500-byte messages in bursts of 100, each burst once the reader has
 * the previous one, until the server lets the stalled reader go (or 50 MB:
 * far more than loopback's kernel buffers, the high-water mark and the
 * queue hold together).
 */
async function stallOneReader(server: TestServer) {
  const stack = new AsyncDisposableStack();
  try {
    const { conn: stalled } = await rawHandshake(server.addr);
    assert(stalled);
    stack.use(stalled);
    const [sender, reader] = await openClients(server, 2);
    stack.use(sender);
    stack.use(reader);
    let sent = 0;
    const pad = "x".repeat(500);
    for (let burst = 0; burst < 1000 && server.members() === 3; burst++) {
      for (let i = 0; i < 100; i++) {
        sender.send(`${sent++} ${pad}`.slice(0, 500));
      }
      await reader.waitForMessages(sent);
    }
    return {
      stalled,
      sender,
      reader,
      sent,
      [Symbol.asyncDispose]: () => stack.disposeAsync(),
    };
  } catch (error) {
    await stack.disposeAsync();
    throw error;
  }
}

Deno.test("O2, A5, D5: a stalled reader is evicted with 1008 while the others get every message", async () => {
  const log: string[] = [];
  await using server = startServer({
    highWaterMark: 64 * 1024,
    log: (line) => log.push(line),
  });
  await using stall = await stallOneReader(server);
  const { stalled, sender, reader, sent } = stall;
  assert.equal(
    server.members(),
    2,
    `stalled reader still registered after ${sent}`,
  );
  assert.equal(sender.messages.length, sent);
  assert.equal(reader.messages.length, sent);
  // The stalled peer finds the close after what was handed to its socket.
  let got = 0;
  for (;;) {
    const frame: Frame | null = await deadline(
      stalled.readFrame(),
      "the stalled reader's frames",
    );
    assert(frame, "connection ended without a close frame");
    if (frame.opcode === Opcode.Close) {
      const code = (frame.payload[0] << 8) | frame.payload[1];
      assert.equal(code, 1008);
      assert.equal(
        decoder.decode(frame.payload.subarray(2)),
        "send queue full",
      );
      break;
    }
    got += decoder.decode(frame.payload).split("\n").length;
  }
  // Bounded: it was handed a prefix, never the whole stream.
  assert(got < sent, `stalled reader got ${got} of ${sent}`);
  assert(log.some((line) => line.includes("send queue full")), log.join("\n"));
});

Deno.test("O3, K3: a socket that does not drain for the write wait is closed", async () => {
  await using server = startServer({
    highWaterMark: 16 * 1024,
    writeWait: 300,
    // A queue this deep never fills here: only the write wait can act.
    queueSize: 1_000_000,
  });
  await using stall = await stallOneReader(server);
  const { stalled, reader, sent } = stall;
  await until(() => server.members() === 2, "the stalled reader to be dropped");
  assert.equal(reader.messages.length, sent);
  const close = await deadline(stalled.readClose(), "the close frame");
  assert.deepEqual(close, { code: 1008, reason: "write timeout" });
});

Deno.test("O4, K4: a peer that never answers pings is dropped; one that does stays", async () => {
  await using server = startServer({ idleTimeout: 2 });
  const { conn: silent } = await rawHandshake(server.addr);
  assert(silent);
  await using _silent = silent;
  const [live] = await openClients(server, 1);
  await using _live = live;
  const first = await deadline(silent.readFrame(), "a ping");
  assert.equal(first?.opcode, Opcode.Ping);
  // Never answered: the server gives up on it at the idle timeout.
  for (;;) {
    const frame: Frame | null = await deadline(
      silent.readFrame(),
      "the silent peer's end",
    );
    if (frame === null || frame.opcode === Opcode.Close) break;
  }
  await until(() => server.members() === 1, "the silent peer to unregister");
  // The platform WebSocket answers pings, so it is still here and working.
  live.send("still here");
  assert.deepEqual(await live.waitForMessages(1), ["still here"]);
});
