#!/usr/bin/env bash
# Runs issue 10's scenarios against natter, each RUNS times on a fresh
# server (a fresh port each, so the client side's TIME_WAIT ports of one run
# do not get in the way of the next), and writes one JSON file per run with
# the server's log beside it.
#
#   bench/floods.sh OUT_DIR [RUNS]
#
#   flood      2 generators x 11000 connections at once against natter's
#              default caps (the file descriptor limit here: ulimit -n 20000)
#   overload   5 senders offering twice what natter fans out to 500 readers,
#              for 10 s
#   idle       2000 connections that send nothing, then 2000 that send half a
#              request line
#
# Loopback only; every run is bounded by the generator's own watchdog.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=${1:?usage: bench/floods.sh OUT_DIR [RUNS]}
runs=${2:-3}
mkdir -p "$out"
# natter gets the limit the issue measured with; the generators need as many.
ulimit -n 20000
port=18700

# As `deno task start` runs it.
natter=(deno run --v8-flags=--max-semi-space-size=2 --allow-net
	--allow-read=.,/dev/null --allow-env main.ts --hostname 127.0.0.1)

# run NAME SCENARIO ARGS...: a fresh natter on a fresh port, the scenario
# against it, then the server stopped.
run() {
	local name=$1
	shift
	port=$((port + 1))
	"${natter[@]}" --port "$port" >"$out/$name.server.log" 2>&1 &
	local pid=$!
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
		sleep 0.1
	done
	echo "== $name" >&2
	deno run --allow-all bench/bench.ts "$1" --url "ws://127.0.0.1:$port/ws" \
		--pid "$pid" "${@:2}" >"$out/$name.json" 2>"$out/$name.log" || true
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

for i in $(seq "$runs"); do
	run "flood-$i" flood --generators 2 --clients 11000
	run "overload-$i" overload --clients 500 --senders 5 --factor 2 --duration 10s
	run "idle-$i" idle --clients 2000
	run "idle-half-$i" idle --clients 2000 --half
done
echo "results in $out" >&2
