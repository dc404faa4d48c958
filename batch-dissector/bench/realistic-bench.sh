#!/usr/bin/env bash
# `trawl dissect` against tshark on a capture made here, now, from real servers and clients by
# make-realistic-capture.sh (nginx + ApacheBench, redis-server + redis-benchmark, until the file
# holds TARGET_MB).
# Both tools then run as whole processes on one core (taskset -c 0) under /usr/bin/time -v:
#   ./trawl dissect --stats-only   vs   tshark with HTTP and RESP fields
# and the table prints wall time, CPU time, peak RSS and what each one found.
#   batch-dissector/bench/realistic-bench.sh [--reuse] [--profile] [TARGET_MB]     (default 640)
# --reuse keeps the capture of an earlier run when it holds TARGET_MB; --profile also records
# the trawl run with JFR and prints its hottest methods.
# Needs root (tcpdump on lo, packages). Missing Debian packages (nginx-light, apache2-utils,
# redis-server, redis-tools, tcpdump, tshark) are installed with apt-get, and the script says so.
# Everything it writes stays under batch-dissector/target/bench/realistic.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
profile=false reuse=false
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile=true ;;
    --reuse) reuse=true ;;
    *) break ;;
  esac
  shift
done
target_mb="${1:-640}"
http_port="${BENCH_HTTP_PORT:-18480}"
redis_port="${BENCH_REDIS_PORT:-16479}"
dir="$root/batch-dissector/target/bench/realistic"
mkdir -p "$dir"
cd "$dir"

need=()
for pair in nginx:nginx-light ab:apache2-utils redis-server:redis-server redis-benchmark:redis-tools \
            tcpdump:tcpdump tshark:tshark taskset:util-linux; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || need+=("${pair#*:}")
done
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  echo "bench: installing the Debian packages this benchmark needs: ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

pcap="$dir/realistic.pcap"
if ! $reuse || [ "$(stat -c %s "$pcap" 2>/dev/null || echo 0)" -lt $((target_mb * 1000000)) ]; then
  BENCH_HTTP_PORT="$http_port" BENCH_REDIS_PORT="$redis_port" \
    "$root/batch-dissector/bench/make-realistic-capture.sh" "$pcap" "$target_mb"
fi
capinfos -c -s "$pcap" 2>/dev/null | sed -n '2,$p' | sed 's/^/bench: /' >&2 || true

# --- the two tools, whole processes, one core ---------------------------------------------------
# Builds trawl.jar if it is stale; the first `trawl dissect` after a build also records the AOT
# cache later runs start from (see the launcher), so that run is a warm-up on the capture's
# first packets, not the one measured.
editcap -r "$pcap" "$dir/warmup.pcap" 1-40000
"$root/trawl" dissect --stats-only "$dir/warmup.pcap" >/dev/null 2>&1 || true
measure() { # name out-file cmd...
  local name=$1 out=$2; shift 2
  taskset -c 0 /usr/bin/time -v -o "$dir/$name.time" "$@" >"$out" 2>"$dir/$name.err"
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$dir/$name.time")
  cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$dir/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$dir/$name.time")
}
jfr_opts=""
$profile && jfr_opts="-XX:StartFlightRecording=filename=$dir/trawl.jfr,settings=profile"
TRAWL_JAVA_OPTS="$jfr_opts" measure trawl /dev/null "$root/trawl" dissect --stats-only "$pcap"
trawl_wall=$wall trawl_cpu=$cpu trawl_rss=$rss
trawl_http=$(grep -o '"http_requests":[0-9]*' "$dir/trawl.err" | head -1 | cut -d: -f2)
trawl_entries=$(grep -o '"entries":[0-9]*' "$dir/trawl.err" | head -1 | cut -d: -f2)
trawl_redis=$(grep -o '"redis":[0-9]*' "$dir/trawl.err" | head -1 | cut -d: -f2)
measure tshark "$dir/tshark.tsv" tshark -n -r "$pcap" -d "tcp.port==$http_port,http" -d "tcp.port==$redis_port,resp" \
  -T fields -e frame.number -e http.request.method -e http.request.uri -e http.response.code \
  -e resp.array.length -e resp.bulk_string.length -e resp.string
tshark_http=$(awk -F'\t' '$2 != "" { n += split($2, m, ",") } END { print n + 0 }' "$dir/tshark.tsv")

printf '\n%-8s %9s %9s %9s %12s %12s\n' tool wall_s cpu_s rss_MB http_reqs entries
printf '%-8s %9s %9s %9s %12s %12s\n' trawl "$trawl_wall" "$trawl_cpu" "$trawl_rss" "${trawl_http:-?}" "${trawl_entries:-?} (redis ${trawl_redis:-?})"
printf '%-8s %9s %9s %9s %12s %12s\n' tshark "$wall" "$cpu" "$rss" "$tshark_http" "-"
# Wall time is the figure on an idle machine; CPU time (user + system) stays fair when other
# work shares core 0.
awk -v t="$trawl_wall" -v s="$wall" -v tc="$trawl_cpu" -v sc="$cpu" 'BEGIN {
  printf "trawl is %.1fx tshark in wall time, %.1fx in CPU time (whole processes, one core)\n", s / t, sc / tc }'
if $profile; then
  echo; echo "hottest methods of the trawl run (JFR, $dir/trawl.jfr):"
  "${JAVA_HOME:-/usr}/bin/jfr" view --width 160 hot-methods "$dir/trawl.jfr" | head -40 || true
fi
