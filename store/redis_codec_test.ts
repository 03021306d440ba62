import assert from "node:assert/strict";
import {
  decodeEntries,
  decodeMembers,
  decodePublished,
  entryTail,
  memberValue,
} from "./redis_codec.ts";

const verified = { client: "c1", nick: "ada", user: "u-42" };
const anonymous = { client: "c2", nick: null };

Deno.test("entryTail() and decodeEntries() keep a token user's identity (R5)", () => {
  const entries = [verified, anonymous].map((from, i) =>
    `{"o":${i + 1},` + entryTail({ text: `t${i}`, from }, 7)
  );
  const messages = decodeEntries("r", entries);
  assert.deepEqual(messages.map((m) => m.from), [verified, anonymous]);
  assert.equal("user" in messages[1].from, false);
});

Deno.test("memberValue() and decodeMembers() keep a token user's identity (R5)", () => {
  const values = [verified, anonymous].map((m) => memberValue(m, "node-1"));
  assert.deepEqual(decodeMembers(values), [verified, anonymous]);
});

Deno.test("decodePublished() keeps the user of members who joined on another node", () => {
  const payload = `{"o":"n2","j":[${memberValue(verified, "n2")}],"l":[]}`;
  const published = decodePublished("r", payload);
  assert.equal(published.kind, "presence");
  if (published.kind === "presence") {
    assert.deepEqual(published.joined, [verified]);
  }
});
