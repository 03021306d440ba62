/**
 * natter with counters, for finding where a ramp step's time goes: runs
 * `main.ts` with the same arguments and prints to stderr, every second, the
 * WebSocket `send()` calls and bytes handed to sockets, and the event loop's
 * delay (a 10 ms timer's lateness, p50/p99/max). Combine with Deno's own
 * `--cpu-prof` and `--v8-flags=--trace-gc`:
 *
 *   deno run --cpu-prof --cpu-prof-dir=/tmp/prof \
 *     --v8-flags=--max-semi-space-size=2,--trace-gc --allow-all \
 *     bench/profile.ts --hostname 127.0.0.1 --port 8080
 *
 * A measuring aid, never part of the server.
 *
 * @module
 */

let sends = 0;
let bytes = 0;
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
  sends++;
  bytes += typeof data === "string" ? data.length : 0;
  return send.call(this, data);
};

const delays: number[] = [];
let expected = performance.now() + 10;
setInterval(() => {
  const now = performance.now();
  delays.push(now - expected);
  expected = now + 10;
}, 10);

let last = performance.now();
setInterval(() => {
  const now = performance.now();
  const s = (now - last) / 1000;
  last = now;
  delays.sort((a, b) => a - b);
  const at = (q: number) =>
    delays.length
      ? delays[Math.floor(q * (delays.length - 1))].toFixed(1)
      : "-";
  if (sends > 0) {
    console.error(
      `profile: ${Math.round(sends / s)} sends/s, ${
        Math.round(bytes / s / 1024)
      } KiB/s, loop delay p50 ${at(0.5)} p99 ${at(0.99)} max ${at(1)} ms`,
    );
  }
  sends = bytes = 0;
  delays.length = 0;
}, 1000);

const { main } = await import("../main.ts");
Deno.exit(await main(Deno.args));
