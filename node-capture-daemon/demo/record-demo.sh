#!/usr/bin/env bash
# Re-records the demo capture shipped in src/main/resources/demo/demo.pcap: HTTP (2xx, 3xx,
# 4xx, 5xx), DNS (A, AAAA, TXT, NXDOMAIN) and Redis traffic on loopback, about 40 s of it.
# Needs root (tcpdump), python3, curl, dig, dnsmasq and redis-server
# (Debian: apt-get install -y tcpdump curl bind9-dnsutils dnsmasq-base redis-server).
# Servers bind their own loopback addresses (127.0.0.10-13) on their usual ports, so nothing
# else on the machine is in the way and the capture looks like real service traffic. The
# addresses are the pods of a small shop (demo-workloads.json beside the capture): the frontend
# (127.0.0.1, every client here) calls checkout (HTTP), redis and the DNS server; checkout
# calls payment (HTTP, from its own address).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../src/main/resources/demo/demo.pcap}"
work="$(mktemp -d)"
HTTP=127.0.0.10 DNS=127.0.0.11 REDIS=127.0.0.12 PAYMENT=127.0.0.13
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

python3 "$here/demo_http_server.py" "$HTTP" 80 & pids+=($!)
python3 "$here/demo_http_server.py" "$PAYMENT" 80 & pids+=($!)
dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-daemon --log-facility=/dev/null \
  --listen-address="$DNS" --bind-interfaces --port=53 \
  --address=/shop.demo.local/10.96.0.20 --address=/cart.demo.local/10.96.0.21 \
  --host-record=payments.demo.local,10.96.0.22,fd00::22 \
  --txt-record=shop.demo.local,"v=demo" --address=/demo.local/ & pids+=($!)
redis-server --bind "$REDIS" --port 6379 --save "" --appendonly no --dir "$work" --daemonize no >/dev/null & pids+=($!)
sleep 1

tcpdump -i lo -s 0 -U -w "$work/demo.pcap" "host $HTTP or host $DNS or host $REDIS or host $PAYMENT" 2>/dev/null & tcpdump_pid=$!
pids+=($tcpdump_pid)
sleep 1

http() { curl -s "$@" >/dev/null || true; }
for round in $(seq 1 12); do
  dig +short +tries=1 @"$DNS" shop.demo.local A >/dev/null
  dig +short +tries=1 @"$DNS" payments.demo.local AAAA >/dev/null
  [ $((round % 3)) = 0 ] && dig +short +tries=1 @"$DNS" nosuch.demo.local A >/dev/null
  [ $((round % 4)) = 0 ] && dig +short +tries=1 @"$DNS" shop.demo.local TXT >/dev/null
  http "http://$HTTP/api/products" "http://$HTTP/api/products/1" "http://$HTTP/healthz"   # one keep-alive connection
  http "http://$HTTP/api/products/$((round + 40))"                                          # 404
  http -X POST -H 'Content-Type: application/json' -H 'Authorization: Bearer demo' \
       -d "{\"items\":[{\"id\":1,\"qty\":$round}]}" "http://$HTTP/api/orders"              # 201
  [ $((round % 2)) = 0 ] && http -X POST -d '{"items":[]}' -H 'Content-Type: application/json' "http://$HTTP/api/orders"   # 401
  [ $((round % 3)) = 0 ] && http -X POST -H 'Authorization: Bearer demo' -d 'not json' "http://$HTTP/api/orders"           # 400
  [ $((round % 4)) = 0 ] && http -X POST -H 'Authorization: Bearer demo' -d '{}' "http://$HTTP/api/orders"                 # 422
  [ $((round % 3)) = 1 ] && http "http://$HTTP/old-catalog"                                                                # 301
  [ $((round % 4)) = 2 ] && http "http://$HTTP/api/checkout/slow"                                                          # 503
  [ $((round % 5)) = 4 ] && http "http://$HTTP/api/crash"                                                                  # 500
  http --interface "$HTTP" -X POST -H 'Content-Type: application/json' -H 'Authorization: Bearer demo' \
       -d "{\"items\":[{\"id\":1,\"qty\":$round}],\"card\":\"tok_$round\"}" "http://$PAYMENT/api/payments"   # 201
  [ $((round % 4)) = 1 ] && http --interface "$HTTP" -X POST -d '{}' -H 'Authorization: Bearer demo' "http://$PAYMENT/api/payments"   # 422
  redis-cli -h "$REDIS" SET "cart:$round" "{\"items\":$round}" EX 600 >/dev/null
  redis-cli -h "$REDIS" GET "cart:$round" >/dev/null
  redis-cli -h "$REDIS" INCR orders:count >/dev/null
  redis-cli -h "$REDIS" HSET "user:$round" name "demo$round" visits "$round" >/dev/null
  redis-cli -h "$REDIS" LPUSH recent:orders "$round" >/dev/null
  [ $((round % 3)) = 0 ] && redis-cli -h "$REDIS" LRANGE recent:orders 0 5 >/dev/null
  [ $((round % 4)) = 0 ] && redis-cli -h "$REDIS" HGETALL "user:$round" >/dev/null
  [ $((round % 5)) = 0 ] && redis-cli -h "$REDIS" INCR "cart:$round" >/dev/null   # WRONGTYPE-ish error: not an integer
  sleep 3
done
sleep 1
kill -INT $tcpdump_pid; wait $tcpdump_pid 2>/dev/null || true
mkdir -p "$(dirname "$out")"
cp "$work/demo.pcap" "$out"
capinfos -c -d -u "$out"
