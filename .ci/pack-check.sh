#!/usr/bin/env bash
# npx-style use: `npm pack`, install the tarball into an empty folder, start it in sandbox mode over stdio,
# and check that it answers tools/list with JSON-RPC only on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --omit=dev "./$tarball" >/dev/null
answer=$(printf '%s\n%s\n%s\n' \
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"ci","version":"1"}}}' \
  '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
  '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' \
  | (cat; sleep 5) | timeout 60 ./node_modules/.bin/dataverse-mcp --sandbox 2>/dev/null)
grep -q '"id":2' <<<"$answer" && grep -q '"name":"get_my_identity"' <<<"$answer" || { echo "pack-check: FAILED: no tools/list answer"; exit 1; }
if grep -v '^{"' <<<"$answer" | grep -q .; then echo "pack-check: FAILED: non-JSON on stdout"; exit 1; fi
echo "pack-check: passed (npm pack → install → dataverse-mcp --sandbox answers tools/list over stdio)"
