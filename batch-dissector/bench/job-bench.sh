#!/usr/bin/env bash
# ./trawl bench job: the whole dissection job (embedded S3, the partitioned job, embedded
# ClickHouse) on a capture made here and now from real servers and clients — nginx answering
# keep-alive JSON calls from ApacheBench (200, 201, 404, 503) and redis-server under
# redis-benchmark, captured by tcpdump on lo until it holds TARGET_MB — replayed as three nodes in
# 16 MB chunks. It prints the job's entries/s beside the engine's on one thread over the same
# chunks (what `trawl dissect` does on one core), and per partition where the time went.
#   batch-dissector/bench/job-bench.sh [TARGET_MB]      (default 60)
# Needs root for tcpdump on lo; without it (or without the servers) it falls back to the
# bundled example capture and says so. Everything it writes stays under batch-dissector/target.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
target_mb="${1:-60}"
http_port="${BENCH_HTTP_PORT:-18580}"
redis_port="${BENCH_REDIS_PORT:-16579}"
dir="$root/batch-dissector/target/bench/job"
mkdir -p "$dir/nginx-tmp"
pcap="$dir/realistic.pcap"
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

if [ "$(id -u)" = 0 ] && [ -x "$nginx_bin" ] && command -v ab redis-server redis-benchmark tcpdump >/dev/null; then
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $dir/nginx-tmp/body;
  proxy_temp_path $dir/nginx-tmp/proxy;
  fastcgi_temp_path $dir/nginx-tmp/fastcgi;
  uwsgi_temp_path $dir/nginx-tmp/uwsgi;
  scgi_temp_path $dir/nginx-tmp/scgi;
  default_type application/json;
  server {
    listen 127.0.0.1:$http_port;
    location /api/users/ { return 200 '{"id":42,"name":"Ada Lovelace","email":"ada@example.com","roles":["admin","analyst"],"teams":[{"id":7,"name":"platform"}]}'; }
    location = /api/orders { return 201 '{"order":"ord_8f14e45f","status":"accepted","items":3}'; }
    location /api/inventory/ { return 503 '{"error":"service unavailable"}'; }
    location / { return 404 '{"error":"not found"}'; }
  }
}
CONF
  "$nginx_bin" -p "$dir" -c "$dir/nginx.conf" & pids+=($!)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --logfile "$dir/redis.log" & pids+=($!)
  for _ in $(seq 1 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$http_port/api/users/1" && redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.2
  done
  rm -f "$pcap"
  tcpdump -i lo -s 0 -U -w "$pcap" "tcp port $http_port or tcp port $redis_port" 2>"$dir/tcpdump.log" & tcpdump_pid=$!
  pids+=("$tcpdump_pid")
  sleep 1
  echo '{"customer":"cus_12345","items":[{"sku":"A-1","qty":1},{"sku":"B-7","qty":2}]}' > "$dir/order.json"
  url="http://127.0.0.1:$http_port"
  echo "bench: making a capture of at least $target_mb MB (nginx + ab keep-alive, redis-benchmark) ..." >&2
  while [ "$(stat -c %s "$pcap" 2>/dev/null || echo 0)" -lt $((target_mb * 1000000)) ]; do
    load=()
    ab -q -k -n 20000 -c 16 "$url/api/users/42" >/dev/null 2>&1 & load+=($!)
    ab -q -k -n 5000 -c 8 -p "$dir/order.json" -T application/json "$url/api/orders" >/dev/null 2>&1 & load+=($!)
    ab -q -k -n 2000 -c 4 "$url/api/nope/$RANDOM" >/dev/null 2>&1 & load+=($!)
    ab -q -k -n 1500 -c 4 "$url/api/inventory/17" >/dev/null 2>&1 & load+=($!)
    redis-benchmark -p "$redis_port" -n 30000 -c 20 -d 64 -q -t set,get,incr,lpush,lpop,hset >/dev/null 2>&1 & load+=($!)
    wait "${load[@]}" || true
  done
  sleep 1
  kill -INT "$tcpdump_pid"; wait "$tcpdump_pid" 2>/dev/null || true
  cleanup; pids=(); trap - EXIT
  capinfos -c -s "$pcap" 2>/dev/null | sed -n '2,$p' | sed 's/^/bench: /' >&2 || true
  pcap_arg="-Dtrawl.bench.pcap=$pcap"
else
  echo "bench: not root or no nginx/ab/redis/tcpdump: the job runs on the bundled example capture instead" >&2
  pcap_arg=""
fi
cd "$root"
./mvnw -B -pl batch-dissector -am test -Dtest=DissectionJobBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtrawl.bench=true $pcap_arg
