#!/usr/bin/env bash
# Builds the Wirelab images, tagged wirelab/<name>:${WIRELAB_IMAGE_TAG:-local}:
#   base (offline only), postgres (offline only), node-service (shared node layer), host-service,
#   router-service, dhcp-service, dns-service, control-api.
# Offline (the default) the base is wirelab/base:local from infra/base/build-base.sh; with a registry
# set WIRELAB_BASE_IMAGE=eclipse-temurin:21-jre (then no local base or postgres image is built).
# Expects the Maven package done (<module>/target/{lib,app}, control-api's jar), or --maven runs it.
#   infra/build-images.sh [--maven] [--force] [NAME...]     # NAME: any of the images above
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

BASE=${WIRELAB_BASE_IMAGE:-wirelab/base:local}
TAG=${WIRELAB_IMAGE_TAG:-local}
NODE_SERVICES=(host-service router-service dhcp-service dns-service)
maven=false force=()
names=()
for a in "$@"; do
  case "$a" in
    --maven) maven=true ;;
    --force) force=(--force) ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    -*) echo "build-images: unknown option $a" >&2; exit 2 ;;
    *) names+=("$a") ;;
  esac
done
[ ${#names[@]} -gt 0 ] || names=(base postgres node-service "${NODE_SERVICES[@]}" control-api)
wanted() { local n; for n in "${names[@]}"; do [ "$n" = "$1" ] && return 0; done; return 1; }

t0=$EPOCHREALTIME
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
times=()

if $maven; then
  . bin/find-java.sh
  t=$EPOCHREALTIME
  echo "build-images: ./mvnw -B -ntp -q -DskipTests package (JAVA_HOME=$JAVA_HOME)" >&2
  ./mvnw -B -ntp -q -DskipTests package
  times+=("maven package: $(since "$t") s")
fi

# image NAME CONTEXT DOCKERFILE [docker build args...]: builds wirelab/NAME:TAG, log shown on failure
image() {
  local name=$1 context=$2 dockerfile=$3; shift 3
  local t=$EPOCHREALTIME log
  log=$(mktemp)
  if ! docker build -f "$dockerfile" -t "wirelab/$name:$TAG" "$@" "$context" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"
    echo "build-images: $name FAILED" >&2
    exit 1
  fi
  rm -f "$log"
  times+=("$name: $(since "$t") s")
  echo "build-images: wirelab/$name:$TAG built in $(since "$t") s" >&2
}

if [ "$BASE" = wirelab/base:local ]; then
  for n in base postgres; do
    if wanted $n; then
      t=$EPOCHREALTIME
      "infra/$n/build-$n.sh" "${force[@]}"
      times+=("$n: $(since "$t") s")
    fi
  done
fi
if wanted node-service; then
  image node-service infra/node-service infra/node-service/Dockerfile --build-arg "BASE=$BASE"
fi
for s in "${NODE_SERVICES[@]}"; do
  wanted "$s" || continue
  if [ ! -f "$s/pom.xml" ]; then
    echo "build-images: $s skipped (no module $s yet)" >&2
    continue
  fi
  if ! ls "$s"/target/app/*.jar >/dev/null 2>&1; then
    echo "build-images: no $s/target/app/*.jar: run ./mvnw -DskipTests package first (or --maven)" >&2
    exit 1
  fi
  image "$s" "$s" "$s/Dockerfile" --build-arg "NODE_IMAGE=wirelab/node-service:$TAG"
done
if wanted control-api; then
  ls control-api/target/control-api-*-exec.jar >/dev/null 2>&1 \
    || { echo "build-images: no control-api jar: run ./mvnw -DskipTests package first (or --maven)" >&2; exit 1; }
  image control-api . control-api/Dockerfile --build-arg "BASE=$BASE"
fi

# Earlier builds of these tags, now untagged (layers still in use stay).
for l in org.wirelab.service org.wirelab.image; do docker image prune -f --filter "label=$l" >/dev/null; done
echo "build-images: done in $(since "$t0") s"
printf '  %s\n' "${times[@]}"
docker images --filter 'reference=wirelab/*' --format 'table {{.Repository}}:{{.Tag}}\t{{.Size}}\t{{.CreatedSince}}'
