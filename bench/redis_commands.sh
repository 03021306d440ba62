#!/usr/bin/env bash
# What Redis runs for natter.v1 traffic over two nodes: INFO commandstats
# before and after an 8 s broadcast (100 clients split over two nodes, 5
# senders at 20 msgs/s), the clients' joins included. Loopback only; starts
# and stops its own redis-server on port 16393 and nodes on 18391-18392.
set -euo pipefail
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rp=16393
redis-server --port $rp --save "" --appendonly no > /tmp/rm.log 2>&1 & R=$!
sleep 0.5
deno run -A main.ts --port 18391 --hostname 127.0.0.1 --redis redis://127.0.0.1:$rp > /tmp/m1.log 2>&1 & A=$!
deno run -A main.ts --port 18392 --hostname 127.0.0.1 --redis redis://127.0.0.1:$rp > /tmp/m2.log 2>&1 & B=$!
for p in 18391 18392; do for i in $(seq 1 50); do curl -sf http://127.0.0.1:$p/readyz >/dev/null && break; sleep 0.2; done; done
stats() { redis-cli -p $rp info commandstats | sed -nE 's/^cmdstat_([^:]+):calls=([0-9]+).*/\1 \2/p'; }
for d in 8; do
  stats > /tmp/before.$d
  deno task bench broadcast --url ws://127.0.0.1:18391/ws,ws://127.0.0.1:18392/ws --protocol natter.v1 --clients 100 --senders 5 --rate 20 --duration ${d}s --workers 1 2>/dev/null > /tmp/bc.$d.json
  stats > /tmp/after.$d
  echo "duration $d sent $(python3 -c "import json;print(json.load(open('/tmp/bc.$d.json'))['sent'])") lost $(python3 -c "import json;print(json.load(open('/tmp/bc.$d.json'))['lost'])")"
  join <(sort /tmp/before.$d) <(sort /tmp/after.$d) | awk '{printf "  %s %d\n", $1, $3-$2}'
done
kill $A $B; wait $A $B 2>/dev/null || true
redis-cli -p $rp shutdown nosave >/dev/null 2>&1 || true
