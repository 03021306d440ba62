#!/usr/bin/env bash
# Issue 11's functional figure: natter on two nodes sharing rooms through a
# Redis on this machine, beside one node in memory, with `deno task bench
# ramp` (clients split evenly over the nodes). Prints one JSON line a run,
# with the Redis commands each message cost (INFO commandstats).
#
#   bench/redis_nodes.sh OUT_DIR [ROUNDS]
#
# On 2 cores the generator, two nodes and Redis share the machine: this shows
# what the hop costs, not what natter on Redis can carry.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:?usage: bench/redis_nodes.sh OUT_DIR [ROUNDS]}
rounds=${2:-3}
mkdir -p "$out"
redis_port=16391
ports=(18291 18292)

pids=()
stop_all() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	pids=()
}
trap stop_all EXIT

wait_ready() { # URL
	for _ in $(seq 1 100); do
		curl -sf "$1" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "not ready: $1" >&2
	return 1
}

commands() { # total commands Redis has run
	redis-cli -p "$redis_port" info commandstats |
		sed -nE 's/^cmdstat_[^:]+:calls=([0-9]+).*/\1/p' | paste -sd+ | bc
}

start_nodes() { # MODE (redis|memory)
	if [ "$1" = redis ]; then
		redis-server --port "$redis_port" --save "" --appendonly no \
			--daemonize no >"$out/redis.log" 2>&1 &
		pids+=($!)
		for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
		for port in "${ports[@]}"; do
			deno run --v8-flags=--max-semi-space-size=2 -A main.ts --port "$port" \
				--hostname 127.0.0.1 --redis "redis://127.0.0.1:$redis_port" >"$out/node-$port.log" 2>&1 &
			pids+=($!)
			wait_ready "http://127.0.0.1:$port/readyz"
		done
		url="ws://127.0.0.1:${ports[0]}/ws,ws://127.0.0.1:${ports[1]}/ws"
	else
		deno run --v8-flags=--max-semi-space-size=2 -A main.ts --port "${ports[0]}" \
			--hostname 127.0.0.1 >"$out/node-memory.log" 2>&1 &
		pids+=($!)
		wait_ready "http://127.0.0.1:${ports[0]}/readyz"
		url="ws://127.0.0.1:${ports[0]}/ws"
	fi
	node_pid=${pids[-1]}
}

run() { # NAME MODE BENCH_FLAGS...
	local name=$1 mode=$2
	shift 2
	start_nodes "$mode"
	local before=0
	[ "$mode" = redis ] && before=$(commands)
	deno task bench ramp --url "$url" --pid "$node_pid" --protocol natter.v1 \
		--factor 1.5 --duration 3s --p99-ms 100 --max-steps 12 --watchdog 240 "$@" \
		>"$out/$name.json" 2>"$out/$name.err" || true
	local after=0
	[ "$mode" = redis ] && after=$(commands)
	echo "{\"run\":\"$name\",\"redis_commands\":$((after - before))}" >>"$out/redis_commands.jsonl"
	stop_all
}

for round in $(seq 1 "$rounds"); do
	run "r$round-memory-1000" memory --clients 1000 --senders 5 --rate 10
	run "r$round-redis-1000" redis --clients 1000 --senders 5 --rate 10
	run "r$round-memory-rooms" memory --clients 1000 --rooms 100 --senders 100 --rate 2
	run "r$round-redis-rooms" redis --clients 1000 --rooms 100 --senders 100 --rate 2
done
echo "results in $out" >&2
