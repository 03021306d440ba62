/**
 * The documents stand alone: nothing in them points outside the
 * repository (but the benchmark recipes' two inputs), every id a comment or
 * a test name cites is defined in docs/contract.md or docs/protocol.md,
 * every relative link resolves, and the README stays an entry, not a manual.
 *
 * Comments and test names are read from the syntax tree that Deno's own
 * lint plugin API gives, so a string or a regular expression that happens to
 * hold `//` is never taken for a comment.
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Folders that hold no document or source of natter's own. */
const SKIPPED = new Set([".git", "node_modules", "dist", "bench/results"]);
/** The documents that define the ids. */
const ID_DOCS = ["docs/contract.md", "docs/protocol.md"];
/** An id as comments cite it: a capital letter and one or two digits. */
const ID = /\b[A-Z][0-9]{1,2}\b/g;
/** An id's definition: a paragraph that starts with it in bold. */
const DEFINITION = /^\*\*([A-Z][0-9]{1,2})\*\*/gm;
const README_MAX_LINES = 250;

/** The repository's files under `dir` whose names end with `suffix`. */
function filesOf(suffix: string, dir = ""): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync(join(ROOT, dir))) {
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (SKIPPED.has(path) || SKIPPED.has(entry.name)) continue;
    if (entry.isDirectory) found.push(...filesOf(suffix, path));
    else if (entry.isFile && entry.name.endsWith(suffix)) found.push(path);
  }
  return found.sort();
}

function read(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}

/** The line of `offset` in `text`, from 1. */
function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split("\n").length;
}

/** Where each id is cited: `file:line` of comments and test names. */
function citedIds(): Map<string, string[]> {
  const cited = new Map<string, string[]>();
  let file = "";
  let source = "";
  const cite = (text: string, start: number) => {
    for (const match of text.matchAll(ID)) {
      const where = `${file}:${lineOf(source, start + match.index)}`;
      cited.set(match[0], [...cited.get(match[0]) ?? [], where]);
    }
  };
  const name = (node: Deno.lint.Node | undefined) => {
    if (node?.type === "Literal" && typeof node.value === "string") {
      cite(node.value, node.range[0]);
    } else if (node?.type === "ObjectExpression") {
      for (const property of node.properties) {
        if (
          property.type === "Property" && property.key.type === "Identifier" &&
          property.key.name === "name"
        ) name(property.value);
      }
    }
  };
  const plugin: Deno.lint.Plugin = {
    name: "docs",
    rules: {
      ids: {
        create: (context) => ({
          Program() {
            for (const comment of context.sourceCode.getAllComments()) {
              cite(comment.value, comment.range[0] + 2);
            }
          },
          // Test names: Deno.test("I3: ...") and t.step("...").
          CallExpression(call) {
            const callee = call.callee;
            if (
              callee.type === "MemberExpression" &&
              callee.property.type === "Identifier" &&
              (callee.property.name === "test" ||
                callee.property.name === "step")
            ) name(call.arguments[0]);
          },
        }),
      },
    },
  };
  for (file of filesOf(".ts")) {
    source = read(file);
    Deno.lint.runPlugin(plugin, file, source);
  }
  return cited;
}

/** The ids each document defines, and the words it says are not ids. */
function definitions(): { ids: Map<string, string[]>; notIds: Set<string> } {
  const ids = new Map<string, string[]>();
  const notIds = new Set<string>();
  for (const doc of ID_DOCS) {
    const text = read(doc);
    for (const match of text.matchAll(DEFINITION)) {
      ids.set(match[1], [...ids.get(match[1]) ?? [], doc]);
    }
    // The paragraph runs to the next blank line, or to the end of the text.
    const paragraph = /^\*\*Not ids\*\*:([\s\S]*?)(?:\n\n|(?![\s\S]))/m
      .exec(text);
    for (const match of paragraph?.[1].matchAll(/`([A-Z][0-9]{1,2})`/g) ?? []) {
      notIds.add(match[1]);
    }
  }
  return { ids, notIds };
}

/**
 * `text` without fenced code blocks and code spans, which hold no links;
 * their line ends stay, so that lines keep their numbers.
 */
function withoutCode(text: string): string {
  return withoutFences(text).replace(/(`+)[\s\S]*?\1/g, lineEnds);
}

function withoutFences(text: string): string {
  return text.replace(/^(```|~~~)[\s\S]*?^\1/gm, lineEnds);
}

function lineEnds(code: string): string {
  return code.replace(/[^\n]/g, "");
}

/** The anchors GitHub gives the headings of a Markdown text. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of withoutFences(text).matchAll(/^#{1,6} +(.+)$/gm)) {
    const slug = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Every relative link target of a Markdown file, with its line. */
function relativeLinks(doc: string): { target: string; line: number }[] {
  const text = withoutCode(read(doc));
  const links = [];
  const patterns = [
    /!?\[[^\]]*\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g,
    /\b(?:src|href)="([^"]+)"/g,
  ];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      // A scheme (https:, mailto:) is not a path in the repository.
      if (/^[a-z][a-z0-9+.-]*:/i.test(match[1])) continue;
      links.push({ target: match[1], line: lineOf(text, match.index) });
    }
  }
  return links;
}

Deno.test("no document points outside the repository", () => {
  const strays = [];
  for (const doc of filesOf(".md")) {
    const text = read(doc);
    // Not even a recipe: a benchmark's outside inputs (the load generator,
    // the rival server) are named by what they are, and given as variables.
    for (const match of text.matchAll(/(?:\.\.\/)+shared(?:\/[\w.-]*)*/g)) {
      const path = match[0].replace(/\.+$/, "");
      strays.push(`${doc}:${lineOf(text, match.index)}: ${path}`);
    }
    // The specifications natter implements are restated in docs/.
    for (
      const match of text.matchAll(
        /\/work\/shared|\b(?:CONTRACT|PROTOCOL)\.md\b/g,
      )
    ) {
      strays.push(`${doc}:${lineOf(text, match.index)}: ${match[0]}`);
    }
  }
  assert.deepEqual(strays, [], "documents that point outside the repository");
});

Deno.test("every id a comment or a test name cites is defined once, in docs/", () => {
  const { ids, notIds } = definitions();
  assert.ok(ids.size > 0, `no "**X1**" definitions in ${ID_DOCS.join(", ")}`);
  const twice = [...ids].filter(([, docs]) => docs.length > 1)
    .map(([id, docs]) => `${id} in ${docs.join(" and ")}`);
  assert.deepEqual(twice, [], "ids defined more than once");
  const cited = citedIds();
  assert.ok(cited.size > 0, "no id found in any comment: the scan is broken");
  const undefinedIds = [...cited]
    .filter(([id]) => !ids.has(id) && !notIds.has(id))
    .map(([id, places]) => `${id}, cited at ${places.join(", ")}`);
  assert.deepEqual(undefinedIds, [], "ids cited but defined nowhere");
});

Deno.test(`README.md has at most ${README_MAX_LINES} lines`, () => {
  const lines = read("README.md").trimEnd().split("\n").length;
  assert.ok(
    lines <= README_MAX_LINES,
    `README.md has ${lines} lines: move detail to docs/`,
  );
});

Deno.test("every relative link in the documents resolves", () => {
  const broken = [];
  let checked = 0;
  for (const doc of filesOf(".md")) {
    for (const { target, line } of relativeLinks(doc)) {
      checked++;
      const [path, anchor] = target.split("#", 2);
      const file = path === ""
        ? doc
        : relative(ROOT, join(ROOT, dirname(doc), decodeURI(path)));
      if (!existsSync(join(ROOT, file))) {
        broken.push(`${doc}:${line}: ${target} (no ${file})`);
      } else if (anchor && file.endsWith(".md")) {
        if (!anchorsOf(read(file)).has(anchor)) {
          broken.push(`${doc}:${line}: ${target} (no heading #${anchor})`);
        }
      }
    }
  }
  assert.ok(checked > 0, "no relative link found: the scan is broken");
  assert.deepEqual(broken, [], "links that do not resolve");
});
