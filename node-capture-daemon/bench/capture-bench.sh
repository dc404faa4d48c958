#!/usr/bin/env bash
# Packets/s captured without drops, the daemon vs tcpdump, at rising tcpreplay rates on loopback.
# Needs root (or CAP_NET_RAW), tcpdump and tcpreplay.
#   node-capture-daemon/bench/capture-bench.sh [seconds-per-rate] [rate-pps ...]   (rate 0 = top speed)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
: "${JAVA_HOME:?set JAVA_HOME to a Java 25 JDK}"
./mvnw -B -q -o -pl node-capture-daemon -am -DskipTests test-compile package \
  dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test >/dev/null
cp="node-capture-daemon/target/test-classes:node-capture-daemon/target/classes:$(cat node-capture-daemon/target/bench-classpath.txt)"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile=logback-test.xml \
  -cp "$cp" dev.trawl.capture.bench.CaptureBench "$@"
