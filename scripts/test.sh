#!/usr/bin/env bash
# The whole test suite: bootstrap, typecheck, lint, unit and integration tests.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bootstrap.sh
. "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
echo "== typecheck (tsc --noEmit)"
tsc --noEmit -p tsconfig.json
echo "== lint (biome)"
biome check .
echo "== tests (node:test)"
exec node --test --test-concurrency=2 --test-timeout=300000 "$@" \
  'packages/*/src/**/*.test.ts' 'packages/*/test/**/*.test.ts' 'test/**/*.test.ts'
