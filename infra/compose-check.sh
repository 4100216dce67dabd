#!/usr/bin/env bash
# The README's "Run Wirelab in containers" as a user does it: docker-compose.yml up on the local
# images (PostgreSQL and the control API on the docker runtime), then the dashboard in a real
# browser (web-ui/e2e/e2e.mjs, WIRELAB_E2E=docker: a lab started on the docker runtime from the page,
# ping in a node container's terminal, its frames listed, stop), with the API token from the control
# API's log (it listens beyond loopback in its container); down -v at the end, pass or fail.
# Needs: docker-compose (or docker compose), the images (infra/build-images.sh postgres, and the
# control API's and nodes' images), Chromium, web-ui's npm ci. Uses 127.0.0.1:8080, as the file says.
#   infra/compose-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v docker-compose >/dev/null 2>&1; then compose=(docker-compose); else compose=(docker compose); fi
project=wirelab-compose-check
export WIRELAB_BASE_IMAGE=${WIRELAB_BASE_IMAGE:-wirelab/base:local}
export WIRELAB_POSTGRES_IMAGE=${WIRELAB_POSTGRES_IMAGE:-wirelab/postgres:local}
dc() { "${compose[@]}" -p "$project" "$@"; }

if curl -s -o /dev/null --max-time 2 http://127.0.0.1:8080/; then
  echo "compose-check: something already answers on 127.0.0.1:8080 (the compose file's port); stop it first" >&2
  exit 1
fi
trap 'dc down -v --remove-orphans >/dev/null 2>&1 || true' EXIT
dc up -d --no-build
token=""
for _ in $(seq 1 120); do
  token=$(dc logs control-api 2>/dev/null | grep -o 'token=[A-Za-z0-9_-]\{20,\}' | head -1 | cut -d= -f2 || true)
  if [ -n "$token" ] && curl -fs -o /dev/null --max-time 2 http://127.0.0.1:8080/actuator/health; then break; fi
  sleep 1
done
if [ -z "$token" ]; then
  dc logs --tail 40 control-api >&2 || true
  echo "compose-check: the control API did not come up (or printed no token) within 120 s" >&2
  exit 1
fi
echo "compose-check: control API up under compose"
# The page itself, with the token in its cookie: the dashboard's script is served.
curl -fsS --max-time 10 -b "wirelab_token=$token" http://127.0.0.1:8080/ | grep -q '<script' \
  || { echo "compose-check: / did not serve the dashboard" >&2; exit 1; }
# WIRELAB_E2E_CONNECTIONS_DROP: Docker (20.10 here) moves the published port's proxy to the run's
# network when the control API joins it, cutting the page's open connections once per run start; the
# start goes on (it is not cancelled with its request) and the page finds the run.
(cd web-ui && WIRELAB_URL=http://127.0.0.1:8080 WIRELAB_TOKEN=$token WIRELAB_E2E=docker WIRELAB_E2E_CONNECTIONS_DROP=1 \
  WIRELAB_SCREENSHOTS="$PWD/target/screenshots/compose" timeout 300 node e2e/e2e.mjs) || {
  dc logs --tail 60 control-api >&2 || true
  echo "compose-check: the dashboard's container run failed under compose" >&2
  exit 1
}
echo "compose-check: passed"
