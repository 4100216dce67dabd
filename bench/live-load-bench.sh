#!/usr/bin/env bash
# Live streams against the rest of the API (bench/live-load-bench.py says what it measures).
# Usage: bench/live-load-bench.sh    env: BENCH_SECONDS=15 BENCH_SUBSCRIBERS=20 BENCH_SLOW=5 BENCH_LOOPS=10
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-java.sh
./mvnw -q -B -ntp -DskipTests -pl control-api -am package
exec python3 bench/live-load-bench.py
