/**
 * natter over TLS as a process under a flood of connections and a
 * descriptor limit far below it, as `flood_test.ts` does over plain HTTP. A
 * WebSocket over TLS holds three descriptors (the TLS connection and both
 * ends of the loopback natter relays it through), so a limit admits about
 * a third of the clients it would over plain HTTP.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  makeTestCertificate,
  type TestCertificate,
} from "./test_certificate.ts";
import { chat, closeAll, freshClient } from "../../test_util/flood.ts";
import { ChatClient, deadline } from "../../test_util/natter.ts";
import { MAIN, NatterProcess, startFlags } from "../../test_util/process.ts";

const UNCAPPED =
  new URL("../../test_util/uncapped.ts", import.meta.url).pathname;

/** How long a whole flood may take to settle. */
const FLOOD_MS = 30_000;

let certificate: TestCertificate | undefined;
/** One throwaway certificate for the whole file. */
async function tlsFiles(): Promise<TestCertificate> {
  certificate ??= await makeTestCertificate();
  return certificate;
}

/** A natter started over TLS, and an HTTP client that trusts it. */
interface Secure extends Disposable {
  url: URL;
  wsUrl: string;
  client: Deno.HttpClient;
}

function secure(url: URL, ca: string): Secure {
  const client = Deno.createHttpClient({ caCerts: [ca] });
  return {
    url,
    wsUrl: `wss://${url.host}/ws`,
    client,
    [Symbol.dispose]: () => client.close(),
  };
}

/** How Deno's client reports a 503 or a connection closed under it. */
const REFUSED = /\b503\b|reset by peer|NoApplicationProtocol|closed|EOF/i;

/** What became of one connection attempt. */
type Outcome = ChatClient | { refused: string };

/**
 * Attempts `count` connections at once; each settles open or refused. One
 * that neither opens nor is refused within the deadline fails the test.
 */
function attempt(natter: Secure, count: number): Promise<Outcome>[] {
  return Array.from(
    { length: count },
    () =>
      ChatClient.open(natter.wsUrl, { client: natter.client }).catch(
        (error: Error) => ({ refused: error.message }),
      ),
  );
}

function isClient(outcome: Outcome): outcome is ChatClient {
  return outcome instanceof ChatClient;
}

/** `/healthz` answers 200 over https. */
async function healthy(natter: Secure): Promise<void> {
  const response = await deadline(
    fetch(new URL("/healthz", natter.url), { client: natter.client }),
    "/healthz to answer",
  );
  await response.body?.cancel();
  assert.equal(response.status, 200);
}

Deno.test("natter over TLS under ulimit -n 256 takes 400 connection attempts at once and serves again after", async () => {
  const { ca, dir } = await tlsFiles();
  await using natter = await NatterProcess.underLimit(256, [
    ...startFlags(),
    MAIN,
    "--cert",
    `${dir}/cert.pem`,
    "--key",
    `${dir}/key.pem`,
  ]);
  assert.equal(natter.url.protocol, "https:");
  const caps = await natter.stdout.find(/up to \d+ clients/, "the caps line");
  const [, clients, sockets] = /up to (\d+) clients and (\d+) connections/
    .exec(caps)!.map(Number);
  // Three descriptors a client: the client cap is a third of the sockets'.
  assert.ok(clients * 3 <= sockets, caps);
  using tls = secure(natter.url, ca);
  const settled = await deadline(
    Promise.all(attempt(tls, 400)),
    "400 attempts to settle",
    FLOOD_MS,
  );
  const admitted = settled.filter(isClient);
  try {
    assert.ok(
      admitted.length >= 1 && admitted.length <= clients,
      `${admitted.length} admitted, cap ${clients}`,
    );
    // Refused by the client cap (503) or closed by the socket cap: during
    // the TLS handshake Deno's client reports that as a missing ALPN
    // protocol. None waited out its deadline.
    for (const outcome of settled) {
      if (isClient(outcome)) continue;
      assert.match(outcome.refused, REFUSED);
    }
    await chat(admitted, "in");
    await healthy(tls);
    await chat(admitted, "still");
    assert.ok(admitted.every((c) => c.socket.readyState === WebSocket.OPEN));
  } finally {
    await closeAll(admitted);
  }
  await freshClient(tls.wsUrl, tls.client);
  await healthy(tls);
  // At most one line per episode of the client cap; no error, no panic.
  const full = natter.stderr.lines.filter((l) => /the most allowed/.test(l));
  assert.ok(full.length <= 1, natter.stderr.text);
  assert.ok(
    natter.stderr.lines.every((l) =>
      /^natter: \d+ (connections|clients)/.test(l)
    ),
    natter.stderr.text,
  );
  natter.child.kill("SIGTERM");
  assert.equal((await natter.exit()).code, 0);
});

Deno.test("natter over TLS out of descriptors keeps its clients and accepts again once some are free", async () => {
  // Uncapped under ulimit -n 128, natter runs out of descriptors for as long
  // as the test holds more idle connections open than the limit.
  const { ca, dir } = await tlsFiles();
  await using natter = await NatterProcess.underLimit(128, [
    "--allow-all",
    UNCAPPED,
    ...["--cert", `${dir}/cert.pem`, "--key", `${dir}/key.pem`],
  ]);
  using tls = secure(natter.url, ca);
  const connected = (await Promise.all(attempt(tls, 5))).filter(isClient);
  const late: ChatClient[] = [];
  try {
    assert.equal(connected.length, 5);
    await chat(connected, "before");
    let waiting: Promise<Outcome>[];
    {
      await using _idle = await holdOpen(natter.url, IDLE);
      await natter.stderr.find(
        /out of file descriptors/,
        "the exhaustion line",
      );
      await chat(connected, "meanwhile");
      assert.ok(connected.every((c) => c.socket.readyState === WebSocket.OPEN));
      // These wait in the kernel's queue until descriptors come free.
      waiting = attempt(tls, 10);
    }
    // Free again: each attempt is served, or refused (503 or a close) and
    // does not wait out its deadline.
    const settled = await deadline(
      Promise.all(waiting),
      "every attempt to settle",
      FLOOD_MS,
    );
    late.push(...settled.filter(isClient));
    for (const outcome of settled) {
      if (!isClient(outcome)) assert.match(outcome.refused, REFUSED);
    }
    await chat([...connected, ...late], "after");
  } finally {
    await closeAll([...connected, ...late]);
  }
  // The listener accepts as before: a new wave gets in.
  const wave = (await Promise.all(attempt(tls, 10))).filter(isClient);
  try {
    assert.equal(wave.length, 10);
    await chat(wave, "wave");
  } finally {
    await closeAll(wave);
  }
  await freshClient(tls.wsUrl, tls.client);
  await healthy(tls);
  // One line for the episode, and nothing else from natter: no error.
  const lines = natter.stderr.lines.filter((l) => l.startsWith("natter: "));
  assert.equal(lines.length, 1, natter.stderr.text);
  assert.match(lines[0], /out of file descriptors/);
  natter.child.kill("SIGTERM");
  assert.equal((await natter.exit()).code, 0);
});

/**
 * Idle connections to hold natter out of descriptors: more than its limit
 * of 128, each holding one in natter until its request deadline (a minute
 * in `uncapped.ts` over TLS); those over the limit wait in the kernel's queue.
 */
const IDLE = 160;

/** Opens `count` TCP connections to `url` that send nothing; disposing closes them. */
async function holdOpen(url: URL, count: number): Promise<AsyncDisposable> {
  const conns: Deno.TcpConn[] = [];
  const close = () => {
    for (const conn of conns.splice(0)) conn.close();
    return Promise.resolve();
  };
  try {
    for (let i = 0; i < count; i++) {
      conns.push(
        await deadline(
          Deno.connect({ hostname: url.hostname, port: Number(url.port) }),
          `idle connection ${i}`,
        ),
      );
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { [Symbol.asyncDispose]: close };
}

Deno.test("natter over TLS: the test certificate's directory is removed", async () => {
  if (certificate) await Deno.remove(certificate.dir, { recursive: true });
});
