#!/usr/bin/env bash
# Docker runtime benchmark (bench/containers-bench.py says what it measures); figures measured in one run.
# Usage: bench/containers-bench.sh        env: BENCH_SIZES=20,50  BENCH_SECONDS=5
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-java.sh
./mvnw -q -B -ntp -DskipTests package
infra/build-images.sh node-service host-service router-service dhcp-service dns-service >/dev/null
exec python3 bench/containers-bench.py
