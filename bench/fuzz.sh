#!/usr/bin/env bash
# Fuzzing with Jazzer: runs each @FuzzTest (netstack's fuzz package, control-api's FrameDecoderFuzzTest)
# in fuzzing mode for a while (coverage-guided; new coverage goes to <module>/.cifuzz-corpus/, a failing input to the test's
# Inputs directory under src/test/resources, where the README's test command then replays it).
# Prints, per target, how long it ran, how many inputs it tried and what it found.
#   bench/fuzz.sh [seconds-per-target] [Class#method ...]    (default 60 s, every target)
#   bench/fuzz.sh --seeds    rewrites the seed corpora from the examples' captures (SeedCorpora)
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/find-java.sh

if [ "${1:-}" = "--seeds" ]; then
  ./mvnw -q -B -ntp -o -pl netstack test-compile dependency:build-classpath -Dmdep.outputFile=target/fuzz.classpath \
    -Dmdep.includeScope=test >&2
  exec "$JAVA_HOME/bin/java" -cp "netstack/target/test-classes:netstack/target/classes:$(cat netstack/target/fuzz.classpath)" \
    dev.wirelab.netstack.fuzz.SeedCorpora
fi

secs=${1:-60}
shift || true
targets=("$@")   # Class#method; the module is found from the class
if [ ${#targets[@]} -eq 0 ]; then
  for f in $(grep -l '@FuzzTest' */src/test/java -r --include='*FuzzTest.java' | sort); do
    cls=$(basename "$f" .java)
    for m in $(grep -A2 '@FuzzTest' "$f" | grep -oE 'void [a-zA-Z0-9]+' | awk '{print $2}'); do
      targets+=("$cls#$m")
    done
  done
fi
./mvnw -q -B -ntp -o -pl netstack,control-api -am test-compile >&2
printf '%-34s %8s %12s  %s\n' target seconds executions finding
for t in "${targets[@]}"; do
  module=$(grep -l "class ${t%%#*}" -r --include='*.java' */src/test/java | awk -F/ 'NR == 1 { print $1 }' || true)
  # netstack's classes are compiled above; control-api needs its reactor (the web-ui jar) built up to test.
  if [ "$module" = netstack ]; then goals=(-pl netstack surefire:test); else goals=(-pl "$module" -am test); fi
  log=$module/target/fuzz-${t//#/-}.log
  t0=$EPOCHREALTIME
  set +e
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION=${secs}s ./mvnw -B -ntp -o "${goals[@]}" -Dtest="$t" -Djazzer.hooks=true \
    -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1
  rc=$?
  set -e
  took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
  execs=$(grep -oE '#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
  if [ $rc -eq 0 ]; then finding=none; else finding="FAILED: $(grep -m1 -E '^(java|dev|org)\.[A-Za-z.]+(Exception|Error)' "$log" || echo "see $log")"; fi
  printf '%-34s %8s %12s  %s\n' "$t" "$took" "${execs:-?}" "$finding"
done
