#!/usr/bin/env bash
# Issue 9's performance session: the plain ramp before rooms (a checkout of
# the commit before them) and after, interleaved, and natter.v1 beside it,
# for ROUNDS rounds, one fresh server per run, one run at a time. Name
# SCENARIOs to run only those (plain-rooms-1000 runs only when named).
#
#   bench/rooms_suite.sh OUT_DIR BEFORE_DIR [ROUNDS] [SCENARIO...]
#
# BEFORE_DIR is a worktree of the commit before rooms, for example
# `git worktree add /tmp/natter-before aa15b03`. Each run waits while
# another session's benchmark is running, and holds /tmp/natter-bench.lock.
# The generator is always this checkout's `bench/bench.ts`. Loopback only;
# every ramp is bounded by --max-steps and the generator's watchdog.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=${1:?usage: bench/rooms_suite.sh OUT_DIR BEFORE_DIR [ROUNDS] [SCENARIO...]}
before=$(cd "${2:?usage: bench/rooms_suite.sh OUT_DIR BEFORE_DIR [ROUNDS]}" && pwd)
rounds=${3:-3}
shift $(($# < 3 ? $# : 3))
scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
	scenarios=(before-100 after-100 before-1000 after-1000
		v1-100 v1-1000 v1-rooms-1000)
fi
after=$(pwd)
mkdir -p "$out"
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
port=18700
mysid=$(ps -o sid= -p $$ | tr -d ' ')

# The share of both cores busy over the next 2 seconds, in percent; or
# between two readings of /proc/stat's first line.
busy_pct() {
	local a=${1:-} b=${2:-}
	if [ -z "$a" ]; then
		a=$(head -1 /proc/stat)
		sleep 2
		b=$(head -1 /proc/stat)
	fi
	awk -v a="$a" -v b="$b" 'BEGIN {
		n = split(a, x); split(b, y); total = 0
		for (i = 2; i <= n; i++) total += y[i] - x[i]
		idle = (y[5] - x[5]) + (y[6] - x[6])
		printf "%d", total ? 100 * (total - idle) / total : 0 }'
}

# Waits (polling every 20 s, 10 minutes at most) while a benchmark of
# another session runs, then (2 minutes at most) while the machine is busy
# with anything else, such as another session's tests: over 25% of both
# cores.
wait_for_others() {
	for _ in $(seq 20); do
		busy=$(busy_pct)
		[ "$busy" -le 25 ] && break
		echo "waiting for a quieter machine: ${busy}% busy" >&2
		sleep 1
	done
	for _ in $(seq 30); do
		local busy=""
		for pid in $(pgrep -f "bench/bench.ts|chatbench|bench/suite.sh" || true); do
			[ "$(ps -o sid= -p "$pid" 2>/dev/null | tr -d ' ')" = "$mysid" ] ||
				busy=$pid
		done
		[ -z "$busy" ] && return 0
		echo "waiting for another benchmark (pid $busy)" >&2
		sleep 20
	done
}

# run NAME DIR ARGS...: starts natter from DIR as `deno task start` does, on
# a fresh port, runs one ramp of bench/bench.ts, stops the server.
run() {
	local name=$1 dir=$2
	shift 2
	port=$((port + 1))
	wait_for_others
	(cd "$dir" && exec deno run --v8-flags=--max-semi-space-size=2 \
		--allow-net --allow-read=. --allow-env main.ts --hostname 127.0.0.1 \
		--port "$port") >"$out/$name.server.log" 2>&1 &
	local pid=$!
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
		sleep 0.1
	done
	echo "== $name $(date +%T), machine ${busy}% busy before" >&2
	local stat0
	stat0=$(head -1 /proc/stat)
	flock /tmp/natter-bench.lock deno run --allow-all bench/bench.ts ramp \
		--url "ws://127.0.0.1:$port/ws" --pid "$pid" --senders 5 --factor 1.5 \
		--duration "${DURATION:-3s}" --p99-ms 100 --watchdog 300 "$@" \
		>"$out/$name.json" 2>"$out/$name.log" || true
	# Both cores' busy share over the whole run (server, generator and
	# anything else): well above the two's own share means a shared machine.
	echo "$name ${busy} $(busy_pct "$stat0" "$(head -1 /proc/stat)")" \
		>>"$out/machine.txt"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

for round in $(seq "$rounds"); do
	for s in "${scenarios[@]}"; do
		case $s in
		# From 0.2M deliveries/s (plain), 0.1M (natter.v1, one room) and
		# 0.02M (1000 rooms), ×1.5 a step.
		before-100) run "before-100-$round" "$before" --clients 100 --rate 400 --max-steps 7 ;;
		after-100) run "after-100-$round" "$after" --clients 100 --rate 400 --max-steps 7 ;;
		before-1000) run "before-1000-$round" "$before" --clients 1000 --rate 40 --max-steps 7 ;;
		after-1000) run "after-1000-$round" "$after" --clients 1000 --rate 40 --max-steps 7 ;;
		v1-100) run "v1-100-$round" "$after" --protocol natter.v1 --clients 100 \
			--rate 200 --max-steps 8 ;;
		v1-1000) run "v1-1000-$round" "$after" --protocol natter.v1 --clients 1000 \
			--rate 20 --max-steps 8 ;;
		v1-rooms-1000) run "v1-rooms-1000-$round" "$after" --protocol natter.v1 \
			--clients 10000 --rooms 1000 --senders 1000 --rate 2 --max-steps 9 ;;
		plain-rooms-1000) run "plain-rooms-1000-$round" "$after" --clients 10000 \
			--rooms 1000 --senders 1000 --rate 2 --max-steps 9 ;;
		*) echo "unknown scenario $s" >&2 ;;
		esac
	done
done
echo "results in $out" >&2
