#!/usr/bin/env bash
# Docker end-to-end check: the unmodified Dockerfile and compose files build and run for real.
# Needs a Docker engine and the base images (node:22-bookworm-slim, redis:7-alpine); where Docker Hub is
# out of reach, ../shared/tools/docker-standins.sh builds local stand-ins for them and starts dockerd.
set -euo pipefail
cd "$(dirname "$0")/.."

loud() { printf '\n!!!!!!!! %s !!!!!!!!\n\n' "$*"; }

if ! command -v docker >/dev/null 2>&1 || ! command -v docker-compose >/dev/null 2>&1 || ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq docker.io docker-compose >/dev/null 2>&1 || true
  fi
fi
standins=../shared/tools/docker-standins.sh
if [ -f "$standins" ] && [ "$(id -u)" = 0 ]; then
  bash "$standins" >/tmp/docker-standins.log 2>&1 || echo "docker-check: stand-in images script failed (see /tmp/docker-standins.log)"
fi
if ! docker info >/dev/null 2>&1; then
  loud "DOCKER CHECK SKIPPED: no Docker engine could be started on this machine"
  exit 0
fi

project=dvmcp-ci-$$
compose() { docker-compose -p "$project" "$@"; }
envfile_created=0
if [ ! -f .env ]; then
  cp .env.example .env
  # Interactive mode needs only the environment URL to start; nothing is contacted until sign_in.
  sed -i 's#^DATAVERSE_URL=$#DATAVERSE_URL=https://contoso.crm.dynamics.com#' .env
  envfile_created=1
fi
cleanup() {
  compose -f docker-compose.yml -f docker-compose.sse.yml down -v --remove-orphans >/dev/null 2>&1 || true
  [ "$envfile_created" = 1 ] && rm -f .env
}
trap cleanup EXIT

echo "docker-check: compose files are valid"
compose -f docker-compose.yml config -q
compose -f docker-compose.yml -f docker-compose.sse.yml config -q

echo "docker-check: building the image"
compose build --quiet dataverse-mcp

echo "docker-check: stdio in the container (the Claude Desktop command, with --sandbox) answers tools/list"
answer=$(printf '%s\n%s\n%s\n' \
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"ci","version":"1"}}}' \
  '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
  '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' \
  | (cat; sleep 8) | timeout 60 docker-compose -p "$project" run --rm -T --service-ports dataverse-mcp node dist/main.js --sandbox 2>/dev/null | grep '"id":2' || true)
if ! grep -q '"name":"list_records"' <<<"$answer"; then
  echo "docker-check: FAILED: no tools/list answer over stdio"; exit 1
fi
if grep -v '^{"' <<<"$answer" | grep -q .; then echo "docker-check: FAILED: non-JSON on stdout"; exit 1; fi

echo "docker-check: SSE/HTTP daemon with Redis (up -d)"
compose -f docker-compose.yml -f docker-compose.sse.yml up -d >/dev/null
ok=0
for _ in $(seq 1 60); do
  if curl -fsS http://127.0.0.1:8199/healthz >/dev/null 2>&1; then ok=1; break; fi
  sleep 1
done
[ "$ok" = 1 ] || { echo "docker-check: FAILED: /healthz did not answer on 127.0.0.1:8199"; compose logs --tail 50; exit 1; }
redis_id=$(compose ps -q redis)
[ "$(docker inspect --format '{{.State.Health.Status}}' "$redis_id")" = healthy ] || { echo "docker-check: FAILED: redis not healthy"; exit 1; }
ready=$(curl -sS http://127.0.0.1:8199/readyz)
grep -q '"ready"' <<<"$ready" || { echo "docker-check: FAILED: /readyz: $ready"; exit 1; }
compose exec -T dataverse-mcp sh -c 'test "$(id -un)" = mcpuser && touch /data/.write-check && rm /data/.write-check' \
  || { echo "docker-check: FAILED: /data is not writable by mcpuser"; exit 1; }
echo "docker-check: passed (image builds, stdio answers, daemon healthy with Redis, /data writable by mcpuser)"
