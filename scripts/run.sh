#!/usr/bin/env bash
# The main job on a built-in default: bootstrap, then run the balancer with its built-in default
# configuration (see packages/balancer/README.md). Extra arguments go to the balancer.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bootstrap.sh
. "$ROOT/scripts/bootstrap.sh"
exec balancer "$@"
