import assert from "node:assert/strict";
import { checkPrefix, localPath, MAX_PREFIX_LENGTH } from "./prefix.ts";

Deno.test("checkPrefix() takes a path of plain segments, and the root", () => {
  assert.equal(checkPrefix(undefined), "");
  assert.equal(checkPrefix(""), "");
  assert.equal(checkPrefix("/chat"), "/chat");
  assert.equal(checkPrefix("/apps/chat-1.v2_~x"), "/apps/chat-1.v2_~x");
});

Deno.test("checkPrefix() refuses a prefix that could escape or confuse, naming it", async (t) => {
  const cases: [string, RegExp][] = [
    ["chat", /must start with "\/"/],
    ["/chat/", /must not end with "\/"/],
    ["/", /must not end with "\/"/],
    ["/chat/..", /must not hold a "\.\." segment/],
    ["/../chat", /must not hold a "\.\." segment/],
    ["/./chat", /must not hold a "\." segment/],
    ["//chat", /must not hold "\/\/"/],
    ["/chat%2Fws", /the segment "chat%2Fws" holds a character/],
    ["/chat room", /holds a character/],
    ["/chat?x=1", /holds a character/],
    ["/chat#x", /holds a character/],
    ["/chät", /holds a character/],
    ["/" + "a".repeat(MAX_PREFIX_LENGTH), /longer than 256 characters/],
  ];
  for (const [prefix, problem] of cases) {
    await t.step(JSON.stringify(prefix.slice(0, 20)), () => {
      assert.throws(() => checkPrefix(prefix), (error: Error) => {
        assert.ok(error instanceof TypeError, String(error));
        assert.ok(
          error.message.startsWith(`Cannot mount natter at "${prefix}": `),
          error.message,
        );
        assert.match(error.message, problem);
        return true;
      });
    });
  }
  await t.step("not a string", () => {
    assert.throws(
      () => checkPrefix(42 as unknown as string),
      /Cannot mount natter at "42": it is not a string/,
    );
  });
});

Deno.test("localPath() matches whole segments of the prefix", () => {
  assert.equal(localPath("/chat/ws", "/chat"), "/ws");
  assert.equal(localPath("/chat/", "/chat"), "/");
  assert.equal(localPath("/chat", "/chat"), "");
  assert.equal(localPath("/chatX/ws", "/chat"), undefined);
  assert.equal(localPath("/chat%2Fws", "/chat"), undefined);
  assert.equal(localPath("/Chat/ws", "/chat"), undefined);
  assert.equal(localPath("/api/rooms", "/chat"), undefined);
  assert.equal(localPath("/", "/chat"), undefined);
  assert.equal(localPath("/a/b/ws", "/a/b"), "/ws");
  assert.equal(localPath("/a/bc/ws", "/a/b"), undefined);
  assert.equal(localPath("/anything", ""), "/anything");
});
