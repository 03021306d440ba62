import assert from "node:assert/strict";
// Test-only: deno.test.json maps it, so `deno task start` never fetches it.
import fc from "fast-check";
import { SignJWT } from "jose";
import { keyPair, SECRET, sign } from "../test_util/tokens.ts";
import { createVerifier, mayJoin, TokenError, tokenOf } from "./token.ts";

Deno.test("createVerifier() with a secret takes good HS256 tokens only", async (t) => {
  const verify = (await createVerifier({ secret: SECRET }))!;
  await t.step("good: sub, name and rooms", async () => {
    const token = await sign({ sub: "u1", name: " Ada ", rooms: ["team-*"] });
    assert.deepEqual(await verify(token), {
      user: "u1",
      nick: "Ada",
      rooms: ["team-*"],
      expires: expOf(token) * 1000,
    });
  });
  const refused: [string, () => Promise<string>][] = [
    ["expired", () => sign({ sub: "u1" }, { expiresIn: -10 })],
    [
      "another secret",
      () =>
        sign({ sub: "u1" }, { key: new TextEncoder().encode("x".repeat(40)) }),
    ],
    ["no sub", () => sign({})],
    ["a name that is no nick", () => sign({ sub: "u1", name: "a\u0007" })],
    ["rooms that are no list", () => sign({ sub: "u1", rooms: "lobby" })],
    ["HS512 instead of HS256", () => sign({ sub: "u1" }, { alg: "HS512" })],
    ["malformed", () => Promise.resolve("not.a.jwt")],
    ["unsigned (alg none)", async () => {
      const [, body] = (await sign({ sub: "u1" })).split(".");
      const header = btoa(JSON.stringify({ alg: "none" })).replace(/=+$/, "");
      return `${header}.${body}.`;
    }],
  ];
  for (const [what, make] of refused) {
    await t.step(`refused: ${what}`, async () => {
      await assert.rejects(verify(await make()), TokenError);
    });
  }
});

/** The `exp` claim of `token`, read without checking it. */
function expOf(token: string): number {
  const body = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
  return JSON.parse(atob(body)).exp;
}

Deno.test("createVerifier() gives the token's exp as expires, in milliseconds", async (t) => {
  const verify = (await createVerifier({ secret: SECRET }))!;
  await t.step("an exp: its milliseconds since the epoch", async () => {
    const { expires } = await verify(
      await sign({ sub: "u1" }, {
        expiresIn: 120,
      }),
    );
    assert.ok(expires !== undefined);
    // sign() sets exp 120 s from now, in whole seconds.
    const now = Date.now();
    assert.ok(
      expires > now + 100_000 && expires <= now + 121_000,
      `${expires - now} ms from now`,
    );
    assert.equal(expires % 1000, 0);
  });
  await t.step("no exp: undefined, the token never expires", async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("u1")
      .sign(new TextEncoder().encode(SECRET));
    assert.equal((await verify(token)).expires, undefined);
  });
});

Deno.test("createVerifier() with an issuer or audience refuses tokens of others", async (t) => {
  const verify = (await createVerifier({
    secret: SECRET,
    issuer: "https://auth.example",
    audience: "natter",
  }))!;
  const good = { sub: "u1", iss: "https://auth.example", aud: "natter" };
  await t.step("the right iss and aud", async () => {
    assert.equal((await verify(await sign(good))).user, "u1");
    const listed = await sign({ ...good, aud: ["other", "natter"] });
    assert.equal((await verify(listed)).user, "u1");
  });
  const refused: [string, Record<string, unknown>][] = [
    ["another iss", { ...good, iss: "https://evil.example" }],
    ["another aud", { ...good, aud: "other" }],
    ["no iss", { sub: "u1", aud: "natter" }],
    ["no aud", { sub: "u1", iss: "https://auth.example" }],
  ];
  for (const [what, claims] of refused) {
    await t.step(`refused: ${what}`, async () => {
      await assert.rejects(verify(await sign(claims)), TokenError);
    });
  }
});

Deno.test("createVerifier() with a public key takes RS256 and ES256", async (t) => {
  for (const alg of ["RS256", "ES256"] as const) {
    await t.step(alg, async () => {
      const { privateKey, publicPem } = await keyPair(alg);
      const verify = (await createVerifier({ publicKey: publicPem }))!;
      const token = await sign({ sub: "u2" }, { key: privateKey, alg });
      assert.equal((await verify(token)).user, "u2");
      // An HS256 token made with the public key as secret: the classic
      // algorithm confusion, refused.
      const forged = await sign({ sub: "u2" }, {
        key: new TextEncoder().encode(publicPem),
      });
      await assert.rejects(verify(forged), TokenError);
      const other = await keyPair(alg);
      const foreign = await sign({ sub: "u2" }, { key: other.privateKey, alg });
      await assert.rejects(verify(foreign), TokenError);
    });
  }
  await assert.rejects(createVerifier({ publicKey: "not a key" }), TypeError);
  assert.equal(await createVerifier({}), undefined, "no key: tokens off");
});

Deno.test("tokenOf() reads ?token= and Authorization: Bearer", () => {
  const url = new URL("http://h/ws?token=abc");
  assert.equal(tokenOf(new Request(url), url), "abc");
  const bare = new URL("http://h/ws");
  const bearer = new Request(bare, {
    headers: { authorization: "Bearer xyz" },
  });
  assert.equal(tokenOf(bearer, bare), "xyz");
  assert.equal(tokenOf(new Request(bare), bare), undefined);
  const basic = new Request(bare, { headers: { authorization: "Basic abc" } });
  assert.throws(() => tokenOf(basic, bare), TokenError);
});

Deno.test("mayJoin() follows the rooms claim, with * for a prefix", () => {
  const identity = { user: "u", rooms: ["lobby", "team-*"] };
  assert.ok(mayJoin(identity, "lobby"));
  assert.ok(mayJoin(identity, "team-a"));
  assert.ok(mayJoin(identity, "team-"));
  assert.ok(!mayJoin(identity, "lobby2"));
  assert.ok(!mayJoin(identity, "team"));
  assert.ok(mayJoin({ user: "u" }, "anything"), "no claim: every room");
  assert.ok(mayJoin(undefined, "anything"), "no token: every room");
});

Deno.test("tokens and headers of any shape are refused with TokenError, nothing else", async () => {
  const verify = (await createVerifier({ secret: SECRET }))!;
  await fc.assert(
    fc.asyncProperty(fc.string(), fc.string(), async (header, token) => {
      const url = new URL("http://h/ws");
      url.searchParams.set("token", token);
      let request;
      try {
        request = new Request(url, { headers: { authorization: header } });
      } catch {
        return; // Not a header value a client could send.
      }
      try {
        const found = tokenOf(request, url);
        if (found !== undefined) await verify(found);
        assert.fail(`accepted ${JSON.stringify([header, token])}`);
      } catch (error) {
        assert.ok(error instanceof TokenError, String(error));
      }
    }),
    { numRuns: 500 },
  );
});
