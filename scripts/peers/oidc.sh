#!/usr/bin/env bash
# A certified OpenID Connect provider (the npm package oidc-provider) on 127.0.0.1, for the
# single sign-on tests and for trying single sign-on in the demo by hand.
#
#   bash scripts/peers/oidc.sh install   # node_modules from the lockfile (skipped when current)
#   bash scripts/peers/oidc.sh run       # start it on 127.0.0.1:9090 (OIDC_PEER_PORT)
#
# Needs node (18.19+; 22 recommended by oidc-provider) and npm. Its accounts and clients are
# in tests/peers/oidc/start.mjs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PEER_DIR="$ROOT/tests/peers/oidc"
MARKER="$PEER_DIR/node_modules/.portevoix-installed"

die() {
  echo "oidc peer: $*" >&2
  exit 1
}

install() {
  local digest
  digest="$(sha256sum "$PEER_DIR/package-lock.json" | cut -d' ' -f1)"
  if [[ -f "$MARKER" && "$(cat "$MARKER")" == "$digest" ]]; then
    echo "oidc peer: node_modules is up to date"
    return 0
  fi
  command -v npm >/dev/null 2>&1 || die "npm is required (apt-get install npm)"
  (cd "$PEER_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$digest" >"$MARKER"
  echo "oidc peer: installed"
}

run() {
  install
  local port="${OIDC_PEER_PORT:-9090}"
  local app="${OIDC_PEER_APP:-http://127.0.0.1:8000}"
  cat <<EOF_INFO
OpenID Connect provider on http://127.0.0.1:$port (stop it with Ctrl-C)
  issuer         http://127.0.0.1:$port
  client ID      portevoix
  client secret  portevoix-secret
  redirect URI   $app/sso/callback/ (and http://localhost:${app##*:}/sso/callback/)
  accounts       ada@example.com, grace@example.com (any password), on the consent page: Continue

The demo (make run) is set up for it: start it with
  SOCIAL_ALLOWED_PRIVATE_HOSTS=127.0.0.1,localhost make run
then on the login page, "Continue with single sign-on" with ada@example.com.
EOF_INFO
  cd "$PEER_DIR"
  PV_OIDC_PORT="$port" \
    PV_OIDC_REDIRECT_URIS="$app/sso/callback/,http://localhost:${app##*:}/sso/callback/" \
    exec node --no-deprecation start.mjs
}

case "${1:-}" in
  install) install ;;
  run) run ;;
  *) die "usage: $0 install|run" ;;
esac
