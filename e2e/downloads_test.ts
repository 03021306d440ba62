/**
 * A first run downloads only what it imports. Before `deno task` runs a task,
 * and whenever a program imports any npm package, Deno 2.9 installs every npm
 * package that the configuration's imports and lockfile name, used or not. So
 * deno.json and deno.lock name the server's packages alone, and the packages
 * only the tests use (playwright-core, fast-check, hono) live in
 * deno.test.json and deno.test.lock, which the `test` task passes as
 * `--config`.
 *
 * These tests hold the files to that, then check it the way a fresh machine
 * sees it: with an empty Deno cache and home directory, `deno task start`
 * fetches exactly the server's packages, and a program that imports only the
 * client library (sdk/mod.ts) fetches none. Those two need the npm registry.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("..", import.meta.url));
/** How long one `deno` run from an empty cache may take. */
const DEADLINE_MS = 180_000;

interface Config {
  imports?: Record<string, string>;
  lock?: unknown;
  unstable?: string[];
}

interface Lock {
  specifiers?: Record<string, string>;
  npm?: Record<string, { dependencies?: string[] }>;
}

async function readJson<T>(name: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(`${REPO}${name}`));
}

/** `name@version` of a lockfile key, without its peer-dependency suffix. */
function nameVersion(key: string): string {
  const at = key.indexOf("@", 1);
  return `${key.slice(0, at)}@${key.slice(at + 1).split("_")[0]}`;
}

/** The lockfile key of an npm `specifier` such as `npm:jose@6.2.18`. */
function keyOf(specifier: string, lock: Lock): string {
  const resolved = lock.specifiers?.[specifier];
  assert.ok(resolved, `the lockfile does not resolve "${specifier}"`);
  const bare = specifier.slice("npm:".length);
  const at = bare.indexOf("@", 1);
  return `${at > 0 ? bare.slice(0, at) : bare}@${resolved}`;
}

/** The lockfile key a package's dependency entry (`name` or a key) means. */
function dependencyKey(entry: string, npm: Record<string, unknown>): string {
  if (entry in npm) return entry;
  const keys = Object.keys(npm).filter((key) =>
    key.slice(0, key.indexOf("@", 1)) === entry
  );
  assert.equal(keys.length, 1, `the lockfile has no sole "${entry}"`);
  return keys[0];
}

/** The npm packages (`name@version`) that `imports` lead to in `lock`. */
function packagesOf(imports: Record<string, string>, lock: Lock): string[] {
  const npm = lock.npm ?? {};
  const pending = Object.values(imports)
    .filter((target) => target.startsWith("npm:"))
    .map((target) => keyOf(target, lock));
  const found = new Set<string>();
  for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
    if (found.has(key)) continue;
    assert.ok(npm[key], `the lockfile has no package "${key}"`);
    found.add(key);
    for (const entry of npm[key].dependencies ?? []) {
      pending.push(dependencyKey(entry, npm));
    }
  }
  return [...found].map(nameVersion).sort();
}

/** The names of the folders in `dir`; none when it does not exist. */
async function folders(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) names.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names;
}

/** The npm packages (`name@version`) in the cache `denoDir`, any registry. */
async function cached(denoDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const host of await folders(`${denoDir}/npm`)) {
    const registry = `${denoDir}/npm/${host}`;
    for (const top of await folders(registry)) {
      const names = top.startsWith("@")
        ? (await folders(`${registry}/${top}`)).map((name) => `${top}/${name}`)
        : [top];
      for (const name of names) {
        for (const version of await folders(`${registry}/${name}`)) {
          found.push(`${name}@${version}`);
        }
      }
    }
  }
  return found.sort();
}

/**
 * Runs `deno args` in `cwd` with an empty cache and home directory, within
 * the deadline, and returns what it printed and the npm packages it fetched.
 */
async function fromScratch(
  args: string[],
  cwd: string,
): Promise<{ stdout: string; fetched: string[] }> {
  const home = await Deno.makeTempDir({ prefix: "natter_downloads_" });
  const command = `deno ${args.join(" ")}`;
  try {
    const deadline = AbortSignal.timeout(DEADLINE_MS);
    const output = await new Deno.Command(Deno.execPath(), {
      args,
      cwd,
      env: {
        DENO_DIR: `${home}/deno`,
        HOME: home,
        NO_COLOR: "1",
        DENO_NO_UPDATE_CHECK: "1",
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: deadline,
    }).output();
    assert.ok(
      !deadline.aborted,
      `${command} did not finish within ${DEADLINE_MS / 1000} s`,
    );
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, `${command} failed: ${stderr}`);
    return {
      stdout: new TextDecoder().decode(output.stdout),
      fetched: await cached(`${home}/deno`),
    };
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("deno.json and deno.lock name the server's packages alone", async () => {
  const config = await readJson<Config>("deno.json");
  const lock = await readJson<Lock>("deno.lock");
  const imports = config.imports ?? {};
  const npmImports = Object.values(imports).filter((t) => t.startsWith("npm:"));
  assert.deepEqual(
    Object.keys(lock.specifiers ?? {}).sort(),
    npmImports.sort(),
    "deno.lock resolves specifiers deno.json does not import; a test-only " +
      "package belongs in deno.test.json",
  );
  assert.deepEqual(
    Object.keys(lock.npm ?? {}).map(nameVersion).sort(),
    packagesOf(imports, lock),
    "deno.lock holds packages deno.json's imports do not lead to",
  );
  assert.deepEqual(
    config.lock,
    { path: "./deno.lock", frozen: true },
    "deno.lock must be frozen, so that a test run without deno.test.json " +
      "cannot add its packages",
  );
});

Deno.test("deno.test.json maps the server's packages as deno.json does, with a lockfile of its own", async () => {
  const config = await readJson<Config>("deno.json");
  const tests = await readJson<Config>("deno.test.json");
  for (const [name, target] of Object.entries(config.imports ?? {})) {
    assert.equal(
      tests.imports?.[name],
      target,
      `deno.test.json maps "${name}" otherwise than deno.json`,
    );
  }
  assert.deepEqual(tests.unstable, config.unstable);
  assert.equal(tests.lock, "./deno.test.lock");
});

Deno.test("deno task start, from an empty cache, fetches the server's packages only", async () => {
  const config = await readJson<Config>("deno.json");
  const lock = await readJson<Lock>("deno.lock");
  const { stdout, fetched } = await fromScratch(
    ["task", "start", "--help"],
    REPO,
  );
  assert.match(stdout, /Usage: natter/);
  assert.deepEqual(fetched, packagesOf(config.imports ?? {}, lock));
});

Deno.test("a program that imports only sdk/mod.ts fetches no package", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "natter_client_only_" });
  try {
    const program = `${dir}/program.ts`;
    const client = new URL("../sdk/mod.ts", import.meta.url).href;
    await Deno.writeTextFile(
      program,
      `import * as client from "${client}";\n` +
        `console.log(Object.keys(client).length);\n`,
    );
    const check = async (args: string[], cwd: string) => {
      const { stdout, fetched } = await fromScratch(args, cwd);
      assert.ok(Number(stdout) > 0, `sdk/mod.ts exports nothing: "${stdout}"`);
      assert.deepEqual(fetched, []);
    };
    await t.step("under natter's deno.json and deno.lock", async () => {
      await check(["run", "--config", `${REPO}deno.json`, program], REPO);
    });
    await t.step("with no configuration", async () => {
      await check(["run", "--no-config", program], dir);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
