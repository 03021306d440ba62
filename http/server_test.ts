import assert from "node:assert/strict";
import {
  deadline,
  openClients,
  startServer,
  type TestServer,
} from "../test_util/natter.ts";
import { type HandshakeOptions, rawHandshake } from "../test_util/raw_ws.ts";

/** Attempts a handshake; closes the connection if it was upgraded. */
async function handshake(
  server: TestServer,
  options: HandshakeOptions = {},
): Promise<{ status: number; headers: Headers }> {
  const result = await rawHandshake(server.addr, options);
  if (result.conn) {
    await result.conn.close(1000);
    result.conn.abort();
  }
  return { status: result.status, headers: result.headers };
}

Deno.test("H1: GET / serves the page as UTF-8 HTML", async () => {
  await using server = startServer();
  const response = await fetch(server.origin + "/");
  assert.equal(response.status, 200);
  assert.equal(
    response.headers.get("content-type"),
    "text/html; charset=utf-8",
  );
  const body = await response.text();
  assert.match(body, /<title>natter<\/title>/);
  assert.match(body, /Your browser does not support WebSockets\./);
});

Deno.test("H2: any other path is 404", async (t) => {
  await using server = startServer();
  for (const path of ["/nope", "/index.html", "/ws/", "/home.html", "//"]) {
    await t.step(path, async () => {
      const response = await fetch(server.origin + path);
      await response.body?.cancel();
      assert.equal(response.status, 404);
    });
  }
});

Deno.test("H3: a method other than GET or HEAD on / is 405", async (t) => {
  await using server = startServer();
  for (const method of ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"]) {
    await t.step(method, async () => {
      const response = await fetch(server.origin + "/", { method });
      await response.body?.cancel();
      assert.equal(response.status, 405);
      assert.equal(response.headers.get("allow"), "GET, HEAD");
    });
  }
});

Deno.test("D2: HEAD / is answered like GET without a body", async () => {
  await using server = startServer();
  const get = await fetch(server.origin + "/");
  const page = await get.arrayBuffer();
  const head = await fetch(server.origin + "/", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(
    head.headers.get("content-type"),
    get.headers.get("content-type"),
  );
  assert.equal(head.headers.get("content-length"), String(page.byteLength));
  assert.equal((await head.arrayBuffer()).byteLength, 0);
});

Deno.test("H4: /ws refuses requests that are not a WebSocket upgrade", async (t) => {
  await using server = startServer();
  await t.step("plain GET: 400", async () => {
    const response = await fetch(server.wsUrl.replace("ws:", "http:"));
    assert.equal(response.status, 400);
    assert.match(await response.text(), /upgrade/);
  });
  await t.step("POST without upgrade: 400", async () => {
    const response = await fetch(server.origin + "/ws", { method: "POST" });
    await response.body?.cancel();
    assert.equal(response.status, 400);
  });
  await t.step("upgrade with POST: 405", async () => {
    assert.equal((await handshake(server, { method: "POST" })).status, 405);
  });
  await t.step("upgrade with PUT: 405", async () => {
    assert.equal((await handshake(server, { method: "PUT" })).status, 405);
  });
  await t.step("Upgrade header missing: 400", async () => {
    const { status } = await handshake(server, { headers: { Upgrade: "" } });
    assert.equal(status, 400);
  });
  await t.step("Sec-WebSocket-Version 8: 400", async () => {
    const { status, headers } = await handshake(server, {
      headers: { "Sec-WebSocket-Version": "8" },
    });
    assert.equal(status, 400);
    assert.equal(headers.get("sec-websocket-version"), "13");
  });
  await t.step("bad Sec-WebSocket-Key: 400, not 500", async () => {
    for (const key of ["abc", "", "!!!!!!!!!!!!!!!!!!!!!!==", "AAAA"]) {
      const { status } = await handshake(server, {
        headers: { "Sec-WebSocket-Key": key },
      });
      assert.equal(status, 400, `key ${JSON.stringify(key)}`);
    }
  });
  await t.step("tokens are matched in lists, ignoring case: 101", async () => {
    const { status } = await handshake(server, {
      headers: { Connection: "keep-alive, UPGRADE", Upgrade: "WebSocket" },
    });
    assert.equal(status, 101);
  });
});

Deno.test("H5: the Origin check refuses other origins with 403", async (t) => {
  await using server = startServer();
  const host = `127.0.0.1:${server.addr.port}`;
  const cases: [string, string | undefined, number][] = [
    ["no Origin", "", 101],
    ["same origin", `http://${host}`, 101],
    ["same origin, other case and scheme", `HTTPS://${host}/x`, 101],
    ["foreign origin", "http://evil.example", 403],
    ["port mismatch", `http://127.0.0.1:${server.addr.port + 1}`, 403],
    ["default port not normalised", "http://127.0.0.1", 403],
    ["null", "null", 403],
    ["unparsable", "http://[::1", 403],
  ];
  for (const [name, origin, expected] of cases) {
    await t.step(`${name}: ${expected}`, async () => {
      const { status } = await handshake(server, {
        headers: { Origin: origin ?? "" },
      });
      assert.equal(status, expected);
    });
  }
});

Deno.test("H5: --allow-origin adds to the same-origin rule", async () => {
  await using server = startServer({
    allowOrigins: ["https://chat.example.com"],
  });
  const allowed = await handshake(server, {
    headers: { Origin: "https://chat.example.com" },
  });
  assert.equal(allowed.status, 101);
  const other = await handshake(server, {
    headers: { Origin: "https://other.example.com" },
  });
  assert.equal(other.status, 403);
});

Deno.test("H6: an upgrade is 101 with no subprotocol and no extension", async () => {
  await using server = startServer();
  const { status, headers } = await handshake(server, {
    headers: {
      "Sec-WebSocket-Protocol": "chat, superchat",
      "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
    },
  });
  assert.equal(status, 101);
  assert.equal(headers.get("sec-websocket-protocol"), null);
  assert.equal(headers.get("sec-websocket-extensions"), null);
  assert.equal(headers.get("upgrade")?.toLowerCase(), "websocket");
});

Deno.test("serve().shutdown() closes every client with natter's 1001", async () => {
  const server = startServer();
  const clients = await openClients(server, 3);
  const closes = Promise.all(clients.map((c) => c.closed));
  assert.equal(await server.shutdown(), true, "every connection ended in time");
  for (const event of await closes) {
    assert.equal(event.code, 1001);
    assert.equal(event.reason, "server shutting down");
  }
  // Idempotent: a second shutdown is the same one.
  assert.equal(await server.shutdown(), true);
});

/**
 * Sends `count` upgrades at once, with a token, to a server whose verifier
 * holds every token until all the upgrades have either reached it or been
 * answered; resolves with the statuses.
 */
async function concurrentUpgrades(
  options: { maxConnections?: number; maxConnectionsPerIp?: number },
  count: number,
): Promise<number[]> {
  let verifying = 0;
  let answered = 0;
  const gate = Promise.withResolvers<void>();
  const check = () => {
    if (verifying + answered === count) gate.resolve();
  };
  await using server = startServer({
    ...options,
    verifier: async () => {
      verifying++;
      check();
      await gate.promise;
      return { user: "u" };
    },
  });
  const results = await deadline(
    Promise.all(Array.from({ length: count }, async () => {
      const result = await rawHandshake(server.addr, {
        headers: { Authorization: "Bearer t" },
      });
      if (result.status !== 101) answered++;
      check();
      return result;
    })),
    `${count} upgrades to be answered`,
  );
  for (const { conn } of results) conn?.abort();
  return results.map((r) => r.status).sort();
}

Deno.test("serve() holds a client's place before awaiting its token, so --max-connections cannot be raced", async () => {
  const statuses = await concurrentUpgrades({ maxConnections: 5 }, 12);
  assert.deepEqual(statuses, [...Array(5).fill(101), ...Array(7).fill(503)]);
});

Deno.test("serve() holds an address's place before awaiting its token, so --max-connections-per-ip cannot be raced", async () => {
  const statuses = await concurrentUpgrades({ maxConnectionsPerIp: 3 }, 8);
  assert.deepEqual(statuses, [...Array(3).fill(101), ...Array(5).fill(429)]);
});

Deno.test("serve() closes with 1011 and logs the stack once when a Client cannot be made", async () => {
  const log: string[] = [];
  // A burst below 1 makes the Client's token bucket throw.
  await using server = startServer({
    rateLimit: 5,
    rateBurst: 0.5,
    maxConnections: 1,
    log: (line) => log.push(line),
  });
  for (const round of [1, 2]) {
    const socket = new WebSocket(server.wsUrl);
    const closed = await deadline(
      new Promise<CloseEvent>((resolve) => socket.onclose = resolve),
      `close ${round}`,
    );
    // Its place was given back: the second one got in too, and failed alike.
    assert.equal(closed.code, 1011, `round ${round}`);
  }
  const failures = log.filter((line) => /cannot serve connection/.test(line));
  assert.equal(failures.length, 2, log.join("\n"));
  assert.match(
    failures[0],
    /RangeError: Cannot create a token bucket[^]*\n\s+at /,
  );
});

Deno.test("serve() routes by the request target, never by the Host header", async () => {
  await using server = startServer();
  for (
    const [target, host] of [["/ws", "h/metrics#"], ["/", "127.0.0.1/healthz#"]]
  ) {
    const { hostname, port } = server.addr;
    const conn = await Deno.connect({ hostname, port });
    await conn.write(new TextEncoder().encode(
      `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    ));
    const buffer = new Uint8Array(1024);
    const n = await deadline(conn.read(buffer), "the answer");
    conn.close();
    const head = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
    assert.match(head, /^HTTP\/1\.1 400 /, `${target} with Host ${host}`);
  }
});
