#!/usr/bin/env bash
# Trace ingest benchmark, one JVM, one embedded PostgreSQL, durable commits (see IngestBenchmark):
#  1. frames/s through the control API's ingest (TraceSink -> run spool on disk -> decode, binary COPY
#     in batches, commit, acknowledge) beside a raw binary COPY of the same rows into a table with the
#     schema's indexes and into one with no index (the physical limit), as ratios;
#  2. what each index costs (primary key + that index, against the primary key alone);
#  3. each dashboard/exercise query on a run of queryFrames frames (median of 5).
# Usage: bench/ingest-bench.sh [frames] [rounds] [queryFrames]   (defaults: 200000, 3, 1000000; 0 skips 3)
set -euo pipefail
cd "$(dirname "$0")/.."

. bin/find-java.sh   # JAVA_HOME: a JDK 21+ (keeps a suitable one already set)

cp_file=control-api/target/bench.classpath
if [ ! -f control-api/target/test-classes/dev/wirelab/control/ingest/IngestBenchmark.class ] || [ ! -f "$cp_file" ] \
   || [ -n "$(find control-api/src netstack/src control-api/pom.xml -newer "$cp_file" -print -quit)" ]; then
  echo "bench: building test classes..." >&2
  ./mvnw -q -B -ntp -pl control-api -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
fi

exec "$JAVA_HOME/bin/java" -Xms2g -Xmx2g \
  -cp "control-api/target/classes:control-api/target/test-classes:netstack/target/classes:$(cat "$cp_file")" \
  dev.wirelab.control.ingest.IngestBenchmark "$@"
