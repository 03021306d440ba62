import assert from "node:assert/strict";
import {
  canOpenDescriptor,
  freeDescriptors,
  isExhausted,
} from "./descriptors.ts";

/** A fake descriptor table with `free` slots; counts what is open. */
function table(free: number) {
  const state = { open: 0, peak: 0 };
  const open = () => {
    if (state.open >= free) {
      throw Object.assign(new Error("Too many open files (os error 24)"), {
        code: "EMFILE",
      });
    }
    state.open++;
    state.peak = Math.max(state.peak, state.open);
    return { close: () => void state.open-- };
  };
  return { state, open };
}

Deno.test("freeDescriptors() counts up to the limit and closes every one", () => {
  const { state, open } = table(300);
  assert.equal(freeDescriptors({ open }), 300);
  assert.equal(state.peak, 300);
  assert.equal(state.open, 0);
});

Deno.test("freeDescriptors() stops counting at max", () => {
  const { state, open } = table(1000);
  assert.equal(freeDescriptors({ open, max: 64 }), 64);
  assert.equal(state.open, 0);
});

Deno.test("freeDescriptors() is undefined when it may not open /dev/null", () => {
  const open = () => {
    throw new Deno.errors.NotCapable('Requires read access to "/dev/null"');
  };
  assert.equal(freeDescriptors({ open }), undefined);
});

Deno.test("freeDescriptors() counts this process's real descriptors", () => {
  const free = freeDescriptors({ max: 128 });
  assert.ok(free !== undefined && free > 0, `free: ${free}`);
});

Deno.test("canOpenDescriptor() is false only when descriptors ran out", () => {
  assert.equal(canOpenDescriptor(table(1).open), true);
  assert.equal(canOpenDescriptor(table(0).open), false);
  assert.equal(
    canOpenDescriptor(() => {
      throw new Deno.errors.NotCapable("no");
    }),
    true,
  );
  assert.equal(canOpenDescriptor(), true);
});

Deno.test("isExhausted() recognises EMFILE and ENFILE", () => {
  assert.equal(
    isExhausted(Object.assign(new Error(), { code: "EMFILE" })),
    true,
  );
  assert.equal(
    isExhausted(Object.assign(new Error(), { code: "ENFILE" })),
    true,
  );
  assert.equal(isExhausted(new Deno.errors.NotFound()), false);
  assert.equal(isExhausted(undefined), false);
});
