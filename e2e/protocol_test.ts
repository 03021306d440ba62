import assert from "node:assert/strict";
import {
  ChatClient,
  deadline,
  openClients,
  startServer,
  type TestServer,
  until,
} from "../test_util/natter.ts";
import {
  type Frame,
  Opcode,
  rawHandshake,
  type RawWebSocket,
} from "../test_util/raw_ws.ts";

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

/** The queue size and message size of the O2 tests. */
const QUEUE = 8, SIZE = 16 * 1024;

/**
 * Connects a raw peer that does not read, a sender and a reader, and has the
 * sender send messages of {@linkcode SIZE} bytes, each once the reader and the
 * sender itself have the one before, so that each is a batch of its own,
 * until the Hub evicts the peer. The kernel's buffers fill first (a few MB
 * on loopback), then the socket's own past the high-water mark; then the
 * writer pauses, the peer's queue fills, and the next message does not fit.
 *
 * The sender is raw too: from the platform WebSocket, a frame this big
 * takes some 40 ms per round trip on loopback (it looks like Nagle's
 * algorithm meeting delayed ACKs), from the raw client a few.
 *
 * @returns the connections, and `evicted`: the number of the message that
 * did not fit. The peer's queue held the {@linkcode QUEUE} before it.
 */
async function overflowOnePeer(server: TestServer) {
  const stack = new AsyncDisposableStack();
  try {
    const { conn: peer } = await rawHandshake(server.addr);
    assert(peer);
    stack.use(peer);
    const { conn: sender } = await rawHandshake(server.addr);
    assert(sender);
    stack.use(sender);
    const [reader] = await openClients(server, 1);
    stack.use(reader);
    await until(() => server.members() === 3, "the three clients to register");
    const pad = "x".repeat(SIZE);
    let evicted = -1;
    // 4000 messages are 64 MB, far more than the buffers hold.
    for (let i = 0; evicted < 0; i++) {
      assert(i < 4000, "the peer was never evicted");
      const message = `${i} ${pad}`.slice(0, SIZE);
      await sender.sendText(message);
      // The sender keeps up and gets its own message back (I4).
      assert.equal(await deadline(sender.readText(), `echo ${i}`), message);
      await reader.waitForMessages(i + 1);
      // Eviction happens as the Hub offers, before the reader's writer runs.
      if (server.members() === 2) evicted = i;
    }
    return {
      peer,
      reader,
      evicted,
      [Symbol.asyncDispose]: () => stack.disposeAsync(),
    };
  } catch (error) {
    await stack.disposeAsync();
    throw error;
  }
}

/** Reads the numbers of the messages `peer` was sent, and the close after. */
async function readUntilClose(peer: RawWebSocket) {
  const numbers: number[] = [];
  for (;;) {
    const frame = await deadline(peer.readFrame(), "the peer's frames");
    assert(frame, "connection ended without a close frame");
    if (frame.opcode === Opcode.Close) {
      const code = (frame.payload[0] << 8) | frame.payload[1];
      const reason = decoder.decode(frame.payload.subarray(2));
      return { numbers, close: { code, reason } };
    }
    for (const message of decoder.decode(frame.payload).split("\n")) {
      numbers.push(Number(message.slice(0, message.indexOf(" "))));
    }
  }
}

/** `[0, 1, ..., count - 1]` */
const upTo = (count: number) => Array.from({ length: count }, (_, i) => i);

Deno.test("O2, A5, D5: a client whose queue overflows is closed with 1008 after what it is owed", async (t) => {
  await t.step(
    "a peer that drains gets everything queued before the overflow",
    async () => {
      const log: string[] = [];
      await using server = startServer({
        queueSize: QUEUE,
        maxMessageSize: SIZE,
        log: (line) => log.push(line),
      });
      await using run = await overflowOnePeer(server);
      const { peer, reader, evicted } = run;
      // The others keep up: the sender read back each of its messages, and
      // the reader has every one, once.
      assert.deepEqual(
        reader.messages.map((m) => Number(m.slice(0, m.indexOf(" ")))),
        upTo(evicted + 1),
      );
      // The peer reads again well within the write wait: its socket drains,
      // so what was queued for it is handed over before the close (O2); the
      // message that did not fit is not (A5).
      const { numbers, close } = await readUntilClose(peer);
      assert.deepEqual(numbers, upTo(evicted));
      assert.deepEqual(close, { code: 1008, reason: "send queue full" });
      assert(log.some((line) => line.includes("send queue full")), log.join());
    },
  );

  await t.step("a peer that stopped draining gets nothing more", async () => {
    const log: string[] = [];
    await using server = startServer({
      queueSize: QUEUE,
      maxMessageSize: SIZE,
      writeWait: 500,
      log: (line) => log.push(line),
    });
    await using run = await overflowOnePeer(server);
    const { peer, evicted } = run;
    // The server gives up on the peer's socket once it has made no progress
    // for the write wait; only then does the peer read.
    await until(
      () => log.some((line) => line.includes("send queue full")),
      "the server to give up on the peer",
    );
    // It gets what its socket held, not the messages queued behind it.
    const { numbers, close } = await readUntilClose(peer);
    assert.deepEqual(numbers, upTo(evicted - QUEUE));
    assert.deepEqual(close, { code: 1008, reason: "send queue full" });
  });
});

Deno.test("O3, K3: a socket that does not drain for the write wait is closed", async () => {
  await using server = startServer({
    highWaterMark: 16 * 1024,
    writeWait: 300,
    // A queue this deep never fills here: only the write wait can act.
    queueSize: 1_000_000,
    queueBytes: 2 ** 40,
  });
  await using stall = await stallOneReader(server);
  const { stalled, reader, sent } = stall;
  await until(() => server.members() === 2, "the stalled reader to be dropped");
  assert.equal(reader.messages.length, sent);
  const close = await deadline(stalled.readClose(), "the close frame");
  assert.deepEqual(close, { code: 1008, reason: "write timeout" });
});

/** A busy machine may run a timer this late; nothing here runs early. */
const SLACK_MS = 1000;

/**
 * Answers each ping `conn` gets with a pong, until it has had `count` pings.
 *
 * @returns when each ping arrived, by `Date.now()`.
 */
async function answerPings(conn: RawWebSocket, count: number) {
  const times: number[] = [];
  while (times.length < count) {
    const frame = await deadline(conn.readFrame(), "a ping");
    assert.equal(frame?.opcode, Opcode.Ping, "only pings come to an idle peer");
    times.push(Date.now());
    await conn.sendFrame(Opcode.Pong, frame.payload);
  }
  return times;
}

Deno.test("O4, K4, K5: a peer that never answers pings is dropped within the idle timeout; one that does stays", async () => {
  const idle = 2000;
  await using server = startServer({ idleTimeout: idle / 1000 });
  const begun = Date.now();
  const { conn: silent } = await rawHandshake(server.addr);
  assert(silent);
  await using _silent = silent;
  const { conn: answering } = await rawHandshake(server.addr);
  assert(answering);
  await using _answering = answering;
  const [live] = await openClients(server, 1);
  await using _live = live;
  const opened = Date.now();

  const silentDropped = async () => {
    // K5: the ping comes at half the idle timeout, in time to be answered.
    const ping = await deadline(silent.readFrame(), "a ping");
    const pingAt = Date.now();
    assert.equal(ping?.opcode, Opcode.Ping);
    assert(
      pingAt - begun >= idle / 2 - 20,
      `pinged after ${pingAt - begun} ms`,
    );
    assert(pingAt - opened < idle, `pinged after ${pingAt - opened} ms`);
    // O4, K4: never answered, the server gives up at the idle timeout.
    for (;;) {
      const frame = await deadline(silent.readFrame(), "the silent peer's end");
      if (frame === null || frame.opcode === Opcode.Close) break;
    }
    const endedAt = Date.now();
    assert(
      endedAt - opened <= idle + SLACK_MS,
      `dropped after ${endedAt - opened} ms`,
    );
    await until(() => server.members() === 2, "the silent peer to unregister");
  };
  // K5: pings keep coming every half idle timeout to a peer that answers;
  // the third comes after the idle timeout, so the answers kept it.
  const [, pings] = await Promise.all([
    silentDropped(),
    answerPings(answering, 3),
  ]);
  assert(pings[2] - begun >= idle * 1.5 - 20, `pinged at ${pings[2] - begun}`);
  assert.equal(server.members(), 2, "the answering peers are still registered");
  // The platform WebSocket answers pings by itself: it is still served.
  live.send("still here");
  assert.deepEqual(await live.waitForMessages(1), ["still here"]);
  assert.equal(await deadline(answering.readText(), "a message"), "still here");
});
