#!/usr/bin/env bash
# Bus forwarding benchmark: frames/s through a segment in memory, through the VXLAN endpoint over
# UDP on loopback, and a plain Java UDP forwarder of the same shape for comparison.
# Usage: bench/bus-bench.sh [frameBytes] [secondsPerRun]     (defaults: 128 bytes, 2 s)
set -euo pipefail
cd "$(dirname "$0")/.."

. bin/find-java.sh   # JAVA_HOME: a JDK 21+ (keeps a suitable one already set)

cp_file=netstack/target/bench.classpath
if [ ! -d netstack/target/test-classes/dev/wirelab/netstack/bus ] || [ ! -f "$cp_file" ] \
   || [ -n "$(find netstack/src netstack/pom.xml -newer "$cp_file" -print -quit)" ]; then
  echo "bench: building test classes..." >&2
  ./mvnw -q -B -pl netstack test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
fi

exec "$JAVA_HOME/bin/java" -Xms512m -Xmx512m -XX:+UseParallelGC \
  -cp "netstack/target/classes:netstack/target/test-classes:$(cat "$cp_file")" \
  dev.wirelab.netstack.bus.BusBenchmark "$@"
