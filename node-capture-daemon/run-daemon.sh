#!/usr/bin/env bash
# Runs the capture daemon (dev.trawl.capture.CaptureMain) from the build, configured by the
# environment (docs/capture-daemon.md), e.g.:
#   TRAWL_NODE=node-1 TRAWL_S3_ENDPOINT=http://127.0.0.1:9000 AWS_ACCESS_KEY_ID=trawl \
#   AWS_SECRET_ACCESS_KEY=trawl-local-secret TRAWL_CAPTURE_SPOOL_DIR=/tmp/trawl-spool \
#   node-capture-daemon/run-daemon.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
: "${JAVA_HOME:?set JAVA_HOME to a Java 25 JDK}"
./mvnw -B -q -o -pl node-capture-daemon -am -DskipTests package \
  dependency:build-classpath -Dmdep.outputFile=target/run-classpath.txt -Dmdep.includeScope=runtime >/dev/null
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -cp "node-capture-daemon/target/classes:$(cat node-capture-daemon/target/run-classpath.txt)" dev.trawl.capture.CaptureMain "$@"
