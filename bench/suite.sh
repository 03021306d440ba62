#!/usr/bin/env bash
# Runs every scenario of issue 4 against natter and the Set-and-loop
# baseline, one fresh server per scenario, one scenario at a time, and writes
# one JSON file per run (plus the server's log and the generator's progress).
#
#   bench/suite.sh OUT_DIR [GENERATOR]
#
# GENERATOR is `deno` for natter's own (`deno task bench`) or the path of a
# chatbench binary (the independent Go load generator; default `chatbench`
# on PATH).
# Both take the same flags and write the same keys, so `bench/summary.ts`
# and `bench/plot.ts` read either.
#
# Scenarios: fan-out ramp at 100 and 1000 clients, light load (100 clients,
# 1000 msgs/s), connect storms of 2000 and 10000, a stalled reader among 10
# (and the same traffic without it, to isolate its memory), natter with
# V8's default young generation, and natter on 2 workers. Loopback only;
# every run is bounded by the generator's own watchdog.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=${1:?usage: bench/suite.sh OUT_DIR [deno|CHATBENCH_BINARY]}
generator=${2:-chatbench}
if [ "$generator" = deno ]; then
	generator=(deno run --allow-all bench/bench.ts)
else
	generator=("$generator")
fi
mkdir -p "$out"
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
port=18600

# The servers, as `deno task start` and `deno task bench:baseline` run them.
natter=(deno run --v8-flags=--max-semi-space-size=2 --allow-net --allow-read=.,/dev/null
	--allow-env main.ts --hostname 127.0.0.1)
natter_v8_default=(deno run --allow-net --allow-read=.,/dev/null --allow-env main.ts
	--hostname 127.0.0.1)
natter_workers=("${natter[@]}" --workers 2)
baseline=(deno run --allow-net bench/baseline.ts --hostname 127.0.0.1)

# run NAME SERVER_ARRAY SCENARIO ARGS...: starts the server on a fresh port,
# waits until it accepts connections, runs the generator, stops the server.
run() {
	local name=$1 server=$2
	shift 2
	port=$((port + 1))
	local -n cmd=$server
	"${cmd[@]}" --port "$port" >"$out/$name.server.log" 2>&1 &
	local pid=$!
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
		sleep 0.1
	done
	echo "== $name" >&2
	"${generator[@]}" "$1" --url "ws://127.0.0.1:$port/ws" --pid "$pid" \
		"${@:2}" >"$out/$name.json" 2>"$out/$name.log" || true
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

ramp=(--senders 5 --factor 1.5 --duration 5s --p99-ms 100)
for server in natter baseline; do
	# The same steps for both servers, from 10k deliveries/s up.
	run "$server-ramp-100" $server ramp --clients 100 --rate 20 "${ramp[@]}"
	run "$server-ramp-1000" $server ramp --clients 1000 --rate 2 "${ramp[@]}"
	run "$server-light-100" $server broadcast --clients 100 --senders 5 \
		--rate 200 --duration 5s
	run "$server-connect-2000" $server connect --clients 2000 --hold 2s
	run "$server-connect-10000" $server connect --clients 10000 --hold 2s
done
run natter-v8-default-connect-2000 natter_v8_default connect --clients 2000 --hold 2s
run natter-v8-default-ramp-1000 natter_v8_default ramp --clients 1000 --rate 2 "${ramp[@]}"
for i in 1 2 3 4 5; do
	run "natter-slow-$i" natter slow --clients 10 --rate 4000 --duration 15s --size 500
	run "natter-slow-control-$i" natter broadcast --clients 10 --senders 1 \
		--rate 4000 --duration 15s --size 500
done
run natter-workers-ramp-100 natter_workers ramp --clients 100 --rate 20 "${ramp[@]}"
run natter-workers-ramp-1000 natter_workers ramp --clients 1000 --rate 2 "${ramp[@]}"
echo "results in $out" >&2
