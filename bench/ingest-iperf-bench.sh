#!/usr/bin/env bash
# Trace ingest under a real lab at full speed, through the control API (bench/ingest-iperf-bench.py
# says what it measures). Usage: bench/ingest-iperf-bench.sh    env: BENCH_SECONDS=10 (iperf's length)
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-java.sh
./mvnw -q -B -ntp -o -DskipTests -pl control-api -am package
exec python3 bench/ingest-iperf-bench.py
