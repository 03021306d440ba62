import assert from "node:assert/strict";
import { Histogram } from "./histogram.ts";

Deno.test("Histogram.quantile() is within 1.6% of the exact value", () => {
  const h = new Histogram();
  const values = Array.from({ length: 10_000 }, (_, i) => (i + 1) * 3.7);
  for (const v of values) h.record(v);
  assert.equal(h.samples, values.length);
  for (const q of [0.5, 0.9, 0.99, 0.999]) {
    const exact = values[Math.ceil(q * values.length) - 1];
    const got = h.quantile(q);
    assert.ok(
      Math.abs(got - exact) / exact < 0.016,
      `q${q}: ${got} vs ${exact}`,
    );
  }
  assert.equal(h.quantile(1), values.at(-1));
});

Deno.test("Histogram.merge() adds another thread's samples", () => {
  const a = new Histogram();
  const b = new Histogram();
  a.record(10);
  b.record(1000);
  b.record(2000);
  const copy = new Histogram(b.counts.slice(), b.max);
  a.merge(copy);
  assert.equal(a.samples, 3);
  assert.equal(a.max, 2000);
  assert.ok(a.quantile(0.5) >= 1000 * 0.984 && a.quantile(0.5) <= 1000 * 1.016);
});

Deno.test("Histogram.record() puts a sample in the same bucket on both paths", () => {
  // Whole values from 64 µs take the integer path; a value just below a
  // whole number takes the float path. Both must agree on bucket edges.
  for (const v of [64, 65, 127, 128, 1000, 4095, 4096, 123_456, 2 ** 30]) {
    const whole = new Histogram();
    whole.record(v);
    const edge = new Histogram();
    edge.record(v + 0.5);
    assert.equal(whole.counts.indexOf(1), edge.counts.indexOf(1), `${v}`);
    const below = new Histogram();
    below.record(v - 0.5);
    assert.ok(below.counts.indexOf(1) <= whole.counts.indexOf(1), `${v}`);
  }
});
