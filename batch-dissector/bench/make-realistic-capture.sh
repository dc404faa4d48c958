#!/usr/bin/env bash
# Makes a capture from real servers and clients, here and now: nginx answering keep-alive JSON
# calls from ApacheBench (200s, POSTed bodies, 404s and 503s) and redis-server under
# redis-benchmark, captured by tcpdump on lo until OUT holds TARGET_MB.
#   batch-dissector/bench/make-realistic-capture.sh OUT TARGET_MB
# Needs root (tcpdump on lo) and nginx, ab, redis-server, redis-cli, redis-benchmark, tcpdump; the
# benchmarks decide what to do without them. The servers' files go beside OUT. Ports:
# BENCH_HTTP_PORT and BENCH_REDIS_PORT (so two benchmarks can run at once).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 OUT TARGET_MB" >&2; exit 2; }
pcap="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
target_mb="$2"
dir="$(dirname "$pcap")"
http_port="${BENCH_HTTP_PORT:-18480}"
redis_port="${BENCH_REDIS_PORT:-16479}"
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
mkdir -p "$dir/nginx-tmp"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# --- the servers -------------------------------------------------------------------------------
user_json='{"id":42,"name":"Ada Lovelace","email":"ada@example.com","roles":["admin","analyst"],"created":"2026-01-02T03:04:05Z","settings":{"theme":"dark","locale":"en-GB","notifications":{"email":true,"sms":false}},"teams":[{"id":7,"name":"platform"},{"id":9,"name":"payments"}]}'
cat > "$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 4096; }
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
    location /api/users/ { return 200 '$user_json'; }
    location = /api/orders { return 201 '{"order":"ord_8f14e45f","status":"accepted","items":3,"total":{"amount":12950,"currency":"EUR"}}'; }
    location /api/inventory/ { return 503 '{"error":"service unavailable","retry_after_s":2}'; }
    location / { return 404 '{"error":"not found"}'; }
  }
}
EOF
"$nginx_bin" -p "$dir" -c "$dir/nginx.conf" & pids+=($!)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  --logfile "$dir/redis.log" & pids+=($!)
for _ in $(seq 1 50); do
  curl -sf -o /dev/null "http://127.0.0.1:$http_port/api/users/1" 2>/dev/null && redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  sleep 0.2
done

# --- the capture -------------------------------------------------------------------------------
rm -f "$pcap"
tcpdump -i lo -s 0 -B 65536 -U -w "$pcap" "tcp port $http_port or tcp port $redis_port" 2>"$dir/tcpdump.log" & tcpdump_pid=$!
pids+=("$tcpdump_pid")
sleep 1
printf '{"customer":"cus_%s","items":[{"sku":"A-1","qty":1},{"sku":"B-7","qty":2}],"note":"leave at the door"}' 12345 > "$dir/order.json"
url="http://127.0.0.1:$http_port"
# A round writes about 100 MB at scale 1; large targets take rounds twice that size.
s=$(( target_mb > 100 ? 2 : 1 ))
echo "bench: making a capture of at least $target_mb MB (nginx + ab keep-alive, redis-benchmark) ..." >&2
while [ "$(stat -c %s "$pcap" 2>/dev/null || echo 0)" -lt $((target_mb * 1000000)) ]; do
  load=()
  ab -q -k -n $((20000 * s)) -c 16 "$url/api/users/42" >/dev/null 2>&1 & load+=($!)
  ab -q -k -n $((5000 * s)) -c 8 -p "$dir/order.json" -T application/json "$url/api/orders" >/dev/null 2>&1 & load+=($!)
  ab -q -k -n $((2000 * s)) -c 4 "$url/api/nope/$RANDOM" >/dev/null 2>&1 & load+=($!)
  ab -q -k -n $((1500 * s)) -c 4 "$url/api/inventory/17" >/dev/null 2>&1 & load+=($!)
  redis-benchmark -p "$redis_port" -n $((30000 * s)) -c 20 -d 64 -q -t set,get,incr,lpush,lpop,hset,mset >/dev/null 2>&1 & load+=($!)
  wait "${load[@]}" || true
done
sleep 1
kill -INT "$tcpdump_pid"; wait "$tcpdump_pid" 2>/dev/null || true
grep -h 'dropped by kernel' "$dir/tcpdump.log" | sed 's/^/bench: tcpdump: /' >&2 || true
