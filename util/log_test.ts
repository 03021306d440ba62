import assert from "node:assert/strict";
import { escapeLogText, setUpLogging } from "./log.ts";

/** A log whose lines are collected, in `format`. */
function collect(format: "text" | "json"): {
  log: ReturnType<typeof setUpLogging>;
  written: string[];
} {
  const written: string[] = [];
  const log = setUpLogging({ format, write: (line) => written.push(line) });
  return { log, written };
}

/** What ends a line for one reader or another. */
const LINE_ENDS = /[\n\r\v\f\x85\u2028\u2029]/;

const FORGED = "bye\nnatter: admin logged in\r\u2028\u0085\u001b[2J";

Deno.test("setUpLogging() text: a peer's close reason stays on one line", () => {
  const { log, written } = collect("text");
  log(`client closed: ${FORGED}`, { event: "closed", reason: FORGED });
  assert.equal(written.length, 1);
  const [line] = written;
  assert.ok(line.endsWith("\n"));
  const body = line.slice(0, -1);
  assert.ok(!LINE_ENDS.test(body), JSON.stringify(line));
  assert.ok(!body.includes("\u001b"), "a terminal escape got through");
  assert.equal(
    body,
    "natter: client closed: bye\\nnatter: admin logged in\\r\\u2028\\u0085\\u001b[2J",
  );
});

Deno.test("setUpLogging() json: one object a line, the text intact", () => {
  const { log, written } = collect("json");
  log(`client closed: ${FORGED}`, { event: "closed", reason: FORGED });
  assert.equal(written.length, 1);
  const body = written[0].replace(/\n$/, "");
  assert.ok(!LINE_ENDS.test(body), JSON.stringify(body));
  // deno-lint-ignore no-control-regex
  assert.ok(!/[\x00-\x1f\x7f-\x9f]/.test(body), JSON.stringify(body));
  const record = JSON.parse(body);
  assert.equal(record.message, `client closed: ${FORGED}`);
  assert.equal(record.reason, FORGED);
  assert.equal(record.event, "closed");
});

Deno.test("escapeLogText() escapes controls and backslashes, nothing else", async (t) => {
  const cases: [string, string, string][] = [
    ["plain text", "room lobby: 3 members", "room lobby: 3 members"],
    ["non-ASCII", "é € 😀", "é € 😀"],
    ["LF, CR, tab", "a\nb\rc\td", "a\\nb\\rc\\td"],
    ["NUL and DEL", "a\0b\x7f", "a\\u0000b\\u007f"],
    ["C1 NEL", "a\x85b", "a\\u0085b"],
    ["line and paragraph separators", "a\u2028b\u2029", "a\\u2028b\\u2029"],
    ["a backslash, so an escape cannot be faked", "a\\nb", "a\\\\nb"],
  ];
  for (const [name, text, escaped] of cases) {
    await t.step(name, () => assert.equal(escapeLogText(text), escaped));
  }
});
