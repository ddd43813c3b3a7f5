#!/usr/bin/env bash
# The main job. Bootstrap, then:
# - as root, without arguments: the seed's whole deployment live in network namespaces (scripts/demo.ts):
#   two front nodes with a balancer and an agent each, two web nodes, a client; keys trigger failovers;
#   Ctrl-C removes everything;
# - otherwise: the balancer alone, on its built-in default configuration (loopback, two demo servers;
#   see packages/balancer/README.md), or on the arguments given (`bash scripts/run.sh -f haproxy.cfg`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bootstrap.sh
. "$ROOT/scripts/bootstrap.sh"
if [ "$#" -eq 0 ] && [ "$(id -u)" = 0 ]; then
  exec node "$ROOT/scripts/demo.ts"
fi
if [ "$#" -eq 0 ]; then
  echo "[run] the full demo (the seed's two front nodes, VIP failover) needs root: network namespaces, a" >&2
  echo "[run] bridge and a floating address. Running the balancer alone on loopback instead:" >&2
  echo "[run]   curl http://127.0.0.1:8080/   (alternates demo1 / demo2; Ctrl-C stops)" >&2
fi
exec balancer "$@"
