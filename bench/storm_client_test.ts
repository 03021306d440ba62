import assert from "node:assert/strict";
import { deadline } from "../test_util/natter.ts";
import { failureKind, joinRoom } from "./storm_client.ts";

Deno.test("joinRoom() hands the socket over before the next frame or the close", async () => {
  // The reply, a message and the close leave in one go: a client that
  // took the socket over after an await would miss the message and the
  // close, and then wait for ever.
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request, {
        protocol: "natter.v1",
      });
      socket.onmessage = () => {
        socket.send('[{"type":"joined","id":1,"room":"storm","offset":0}]');
        socket.send('[{"type":"message","room":"storm","offset":1}]');
        socket.close(1012, "restart");
      };
      return response;
    },
  );
  const frames: string[] = [];
  const closed = Promise.withResolvers<number>();
  const outcome = await joinRoom({
    url: `ws://127.0.0.1:${server.addr.port}/ws`,
    room: "storm",
    nick: "u1",
    timeout: 5000,
  }, ({ socket }) => {
    socket.onmessage = (event) => frames.push(event.data);
    socket.onclose = (event) => closed.resolve(event.code);
  });
  assert.ok("socket" in outcome);
  assert.equal(await deadline(closed.promise, "the close"), 1012);
  assert.deepEqual(frames, ['[{"type":"message","room":"storm","offset":1}]']);
});

Deno.test("failureKind() groups refused upgrades by status, and keeps other errors short", () => {
  assert.equal(
    failureKind(
      "NetworkError: failed to connect to WebSocket: Invalid status code: 503",
    ),
    "http 503",
  );
  assert.equal(
    failureKind(
      "NetworkError: failed to connect to WebSocket: tcp connect error",
    ),
    "error: tcp connect error",
  );
  assert.equal(failureKind("x".repeat(500)).length, "error: ".length + 60);
});
