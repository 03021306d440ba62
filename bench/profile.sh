#!/usr/bin/env bash
# Where natter's time goes at one load: natter under bench/profile.ts (send
# and loop-delay counters) with --cpu-prof and --trace-gc, one chatbench
# broadcast step against it, then bench/cpuprofile.ts's summary.
#
#   bench/profile.sh OUT_DIR CLIENTS RATE_PER_SENDER [CHATBENCH]
#
# Holds /tmp/natter-bench.lock while it runs. Loopback only; chatbench's
# own watchdog bounds the step.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:?usage: bench/profile.sh OUT_DIR CLIENTS RATE [CHATBENCH]}
clients=${2:?} rate=${3:?} chatbench=${4:-chatbench}
mkdir -p "$out"
rm -f "$out"/*.cpuprofile
port=$((18400 + RANDOM % 100))
exec 9>/tmp/natter-bench.lock
flock 9
uptime >"$out/uptime.txt"
deno run --cpu-prof --cpu-prof-dir="$out" \
	--v8-flags=--max-semi-space-size=2,--trace-gc --allow-all \
	bench/profile.ts --hostname 127.0.0.1 --port "$port" \
	>"$out/gc.log" 2>"$out/counters.log" &
pid=$!
for _ in $(seq 100); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
	sleep 0.1
done
"$chatbench" broadcast --url "ws://127.0.0.1:$port/ws" --pid "$pid" \
	--clients "$clients" --senders 5 --rate "$rate" --duration 5s \
	>"$out/step.json" 2>"$out/step.log" || true
kill -TERM "$pid"
wait "$pid" || true
grep '^profile:' "$out/counters.log" || true
deno run --allow-read bench/cpuprofile.ts "$out"/*.cpuprofile "$out/gc.log" 15
