#!/usr/bin/env bash
# Trace ingest benchmark: frames/s through the control API's ingest pipeline (TraceSink -> bounded
# queue -> writer: decode, COPY in batches, commit, acknowledge) beside a raw JDBC COPY of the same
# rows (decoded and formatted beforehand) into the same table, in the same run, as a ratio.
# Usage: bench/ingest-bench.sh [frames] [rounds]     (defaults: 200000 frames, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."

. bin/find-java.sh   # JAVA_HOME: a JDK 21+ (keeps a suitable one already set)

cp_file=control-api/target/bench.classpath
if [ ! -f control-api/target/test-classes/dev/wirelab/control/ingest/IngestBenchmark.class ] || [ ! -f "$cp_file" ] \
   || [ -n "$(find control-api/src netstack/src control-api/pom.xml -newer "$cp_file" -print -quit)" ]; then
  echo "bench: building test classes..." >&2
  ./mvnw -q -B -pl netstack,control-api test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
fi

exec "$JAVA_HOME/bin/java" -Xms1g -Xmx1g \
  -cp "control-api/target/classes:control-api/target/test-classes:netstack/target/classes:$(cat "$cp_file")" \
  dev.wirelab.control.ingest.IngestBenchmark "$@"
