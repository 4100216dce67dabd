#!/usr/bin/env bash
# TCP engine goodput benchmark (below the socket layer; bench/tcp-bench.sh measures our iperf and
# Linux iperf3 in the same run): one bulk transfer h1 -> r1 -> h2 in the embedded runtime (real time, every
# frame recorded), through the TCP engine.
# Usage: bench/tcp-engine-bench.sh [megabytes] [rounds] [bufferBytes]   (defaults: 64 MB, 3 rounds, 4 MB buffers)
set -euo pipefail
cd "$(dirname "$0")/.."

. bin/find-java.sh   # JAVA_HOME: a JDK 21+ (keeps a suitable one already set)

cp_file=netstack/target/bench.classpath
if [ ! -d netstack/target/test-classes/dev/wirelab/netstack/tcp ] || [ ! -f "$cp_file" ] \
   || [ -n "$(find netstack/src netstack/pom.xml -newer "$cp_file" -print -quit)" ]; then
  echo "bench: building test classes..." >&2
  ./mvnw -q -B -pl netstack test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
fi

exec "$JAVA_HOME/bin/java" -Xms1g -Xmx4g -XX:+UseParallelGC \
  -cp "netstack/target/classes:netstack/target/test-classes:$(cat "$cp_file")" \
  dev.wirelab.netstack.tcp.TcpEngineBenchmark "$@"
