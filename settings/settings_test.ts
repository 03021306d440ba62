import assert from "node:assert/strict";
import { LOG_FORMATS, LOG_LEVELS } from "../util/log.ts";
import {
  convert,
  DEFAULTS,
  GROUPS,
  inProgram,
  type Setting,
  SETTINGS,
} from "./settings.ts";

const entries = Object.entries(SETTINGS as Record<string, Setting>);

Deno.test("SETTINGS declares each setting with its help and group", async (t) => {
  for (const [key, setting] of entries) {
    await t.step(key, () => {
      assert.match(setting.help, /^[a-z/"-]/, "help starts in lower case");
      assert.ok(!setting.help.endsWith("."), "help ends without a period");
      assert.ok(setting.group in GROUPS, setting.group);
      // A setting is fixed exactly when it has no flag.
      assert.equal(setting.group === "fixed", setting.flag === undefined);
    });
  }
});

Deno.test("SETTINGS names each variable NATTER_ and its flag in upper snake case", async (t) => {
  for (const [key, setting] of entries) {
    await t.step(key, () => {
      if (setting.flag === undefined || setting.type === "boolean") {
        // A fixed setting cannot be given; --help has no twin.
        assert.equal(setting.env, undefined);
        return;
      }
      assert.match(setting.flag, /^[a-z]+(-[a-z]+)*$/);
      const twin = `NATTER_${setting.flag.toUpperCase().replaceAll("-", "_")}`;
      assert.equal(setting.env, twin);
    });
  }
  await t.step("no flag, short flag or variable is declared twice", () => {
    for (const field of ["flag", "short", "env"] as const) {
      const names = entries.flatMap(([, s]) => s[field] ?? []);
      assert.equal(new Set(names).size, names.length, field);
    }
  });
});

Deno.test("SETTINGS keeps each default within its range", async (t) => {
  for (const [key, setting] of entries) {
    await t.step(key, () => {
      if (setting.type === "integer") {
        if (setting.flag !== undefined) {
          // What a flag takes is bounded, so that its errors can say how.
          assert.ok(setting.min !== undefined && setting.max !== undefined);
        }
        const { min = 0, max = Infinity } = setting;
        assert.ok(min <= max, `${min} > ${max}`);
        if (setting.default !== undefined) {
          assert.ok(
            Number.isSafeInteger(setting.default),
            `${setting.default}`,
          );
          assert.ok(setting.default >= min, `${setting.default} < ${min}`);
          assert.ok(setting.default <= max, `${setting.default} > ${max}`);
        }
        if (setting.zero !== undefined) assert.ok(min === 0, "0 is taken");
      }
      if (setting.type === "choice") {
        assert.ok(setting.choices.includes(setting.default), setting.default);
      }
      if (setting.type === "string" && setting.default !== undefined) {
        const bytes = new TextEncoder().encode(setting.default).length;
        assert.ok(bytes >= (setting.minBytes ?? 1), setting.default);
      }
    });
  }
});

Deno.test("SETTINGS offers the log formats and levels util/log.ts has", () => {
  assert.deepEqual(SETTINGS.logFormat.choices, LOG_FORMATS);
  assert.deepEqual(SETTINGS.logLevel.choices, LOG_LEVELS);
});

Deno.test("DEFAULTS holds every default in the unit the program uses", async (t) => {
  await t.step("one key for each setting that declares a default", () => {
    const declared = entries
      .filter(([, setting]) => "default" in setting)
      .map(([key]) => key);
    assert.deepEqual(Object.keys(DEFAULTS), declared);
  });
  await t.step("seconds declared, milliseconds held", () => {
    assert.equal(SETTINGS.writeWait.default, 10);
    assert.equal(DEFAULTS.writeWait, 10_000);
    assert.equal(DEFAULTS.historyTtl, 300_000);
    assert.equal(DEFAULTS.presenceExpiry, 45_000);
    // idleTimeout is held in seconds, as Deno's upgrade takes it.
    assert.equal(DEFAULTS.idleTimeout, 60);
  });
  await t.step("the values lower layers read", () => {
    assert.equal(DEFAULTS.maxMessageSize, 512);
    assert.equal(DEFAULTS.historyBytes, 128 * 1024);
    assert.equal(DEFAULTS.queueBytes, 1 << 20);
    assert.equal(DEFAULTS.maxCommandSize, 4096);
    assert.equal(DEFAULTS.shutdownTimeout, 5000);
    assert.deepEqual(DEFAULTS.allowOrigins, []);
  });
  await t.step("typed as the program uses them", () => {
    // Compile-time: a declared default is never undefined; no default, no key.
    const size: number = DEFAULTS.maxMessageSize;
    const format: "text" | "json" = DEFAULTS.logFormat;
    // @ts-expect-error maxConnections has no default
    const unset = DEFAULTS.maxConnections;
    assert.deepEqual([size, format, unset], [512, "text", undefined]);
  });
  await t.step("cannot be changed by one user for the others", () => {
    assert.ok(Object.isFrozen(DEFAULTS));
    assert.ok(Object.isFrozen(DEFAULTS.allowOrigins));
  });
});

Deno.test("convert() turns seconds into milliseconds and refuses the rest", () => {
  assert.equal(convert(3, "seconds", "milliseconds"), 3000);
  assert.equal(convert(2500, "milliseconds", "seconds"), 2.5);
  assert.equal(convert(7, "bytes", "bytes"), 7);
  assert.throws(
    () => convert(1, "bytes", "seconds"),
    new RangeError('Cannot convert "bytes" to "seconds"'),
  );
});

Deno.test("inProgram() converts only an integer with a stored unit", () => {
  assert.equal(inProgram(SETTINGS.drainDelay, 2), 2000);
  assert.equal(inProgram(SETTINGS.idleTimeout, 2), 2);
  assert.equal(inProgram(SETTINGS.hostname, "::1"), "::1");
});
