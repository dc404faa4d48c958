#!/usr/bin/env bash
# ./trawl bench job: the whole dissection job (embedded S3, the partitioned job, embedded
# ClickHouse) on a capture made here and now from real servers and clients by
# make-realistic-capture.sh (nginx + ApacheBench, redis-server + redis-benchmark, until it holds
# TARGET_MB), replayed as three nodes in 16 MB chunks. It prints the job's entries/s beside the
# engine's on one thread over the same chunks (what `trawl dissect` does on one core), and per
# partition where the time went.
#   batch-dissector/bench/job-bench.sh [TARGET_MB]      (default 60)
# Needs root for tcpdump on lo; without it (or without the servers) it falls back to the
# bundled example capture and says so. Everything it writes stays under batch-dissector/target.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
target_mb="${1:-60}"
http_port="${BENCH_HTTP_PORT:-18580}"
redis_port="${BENCH_REDIS_PORT:-16579}"
dir="$root/batch-dissector/target/bench/job"
mkdir -p "$dir"
pcap="$dir/realistic.pcap"
if [ "$(id -u)" = 0 ] && command -v ab redis-server redis-benchmark tcpdump >/dev/null \
   && { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }; then
  BENCH_HTTP_PORT="$http_port" BENCH_REDIS_PORT="$redis_port" \
    "$root/batch-dissector/bench/make-realistic-capture.sh" "$pcap" "$target_mb"
  capinfos -c -s "$pcap" 2>/dev/null | sed -n '2,$p' | sed 's/^/bench: /' >&2 || true
  pcap_arg="-Dtrawl.bench.pcap=$pcap"
else
  echo "bench: not root or no nginx/ab/redis/tcpdump: the job runs on the bundled example capture instead" >&2
  pcap_arg=""
fi
cd "$root"
./mvnw -B -pl batch-dissector -am test -Dtest=DissectionJobBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtrawl.bench=true $pcap_arg
