import assert from "node:assert/strict";
import { type Setting, SETTINGS } from "../settings/settings.ts";
import { USAGE } from "./config.ts";
import { FLAGS_DOC, renderFlagsDoc } from "./flags_doc.ts";

const DOC = new URL(`../${FLAGS_DOC}`, import.meta.url);
const flagged = Object.values(SETTINGS as Record<string, Setting>).filter(
  (setting) => setting.flag !== undefined,
);

Deno.test("renderFlagsDoc() renders what docs/flags.md holds", async () => {
  const written = await Deno.readTextFile(DOC);
  // assert.equal shows where they differ; the hint says how to mend it.
  assert.equal(
    written,
    renderFlagsDoc(),
    `${FLAGS_DOC} is not what the table renders: run deno task flags:doc`,
  );
});

Deno.test("renderFlagsDoc() lists every flag and variable", () => {
  const doc = renderFlagsDoc();
  for (const setting of flagged) {
    assert.ok(doc.includes(`--${setting.flag}`), setting.flag);
    if (setting.env !== undefined) {
      assert.ok(doc.includes(`\`${setting.env}\``), setting.env);
    }
  }
});

Deno.test("renderFlagsDoc() writes markdown that deno fmt leaves as it is", async () => {
  const doc = renderFlagsDoc();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=md", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(doc));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.equal(new TextDecoder().decode(stdout), doc);
});

Deno.test("USAGE names every flag, with its variable", () => {
  for (const setting of flagged) {
    const listed = USAGE.split("\n").some((line) =>
      new RegExp(`^  (-\\w, )?--${setting.flag}( |$)`).test(line)
    );
    assert.ok(listed, `--help omits --${setting.flag}`);
    if (setting.env !== undefined) {
      assert.ok(
        USAGE.includes(`[${setting.env}`),
        `--help omits ${setting.env}`,
      );
    }
  }
});

Deno.test("USAGE fits in 80 columns", () => {
  for (const line of USAGE.split("\n")) {
    assert.ok(line.length <= 80, JSON.stringify(line));
  }
});
