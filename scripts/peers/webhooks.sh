#!/usr/bin/env bash
# A webhook receiver on 127.0.0.1, for trying the demo's outgoing webhooks by hand: it checks
# each event's Standard Webhooks signature with the demo endpoint's secret and prints it.
#
#   bash scripts/peers/webhooks.sh run   # on 127.0.0.1:8790 (WEBHOOK_PEER_PORT)
#
# The demo (make run) has an endpoint for it, turned off: under Settings → Webhooks, open
# "http://127.0.0.1:8790/portevoix", press "Send a test event" (or turn it on to receive
# every event). The secret is the one the demo wrote to var/demo-webhook-secret.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VAR_DIR="${PORTEVOIX_VAR_DIR:-$ROOT/var}"

die() {
  echo "webhook receiver: $*" >&2
  exit 1
}

run() {
  local secret="$VAR_DIR/demo-webhook-secret"
  [[ -s "$secret" ]] || die "no $secret yet: start the demo once (make run)"
  [[ -x "$ROOT/.venv/bin/python" ]] || die "run make install first"
  cd "$ROOT"
  exec .venv/bin/python -m tests.peers.webhook_receiver \
    --port "${WEBHOOK_PEER_PORT:-8790}" --secret-file "$secret"
}

case "${1:-}" in
  run) run ;;
  *) die "usage: $0 run" ;;
esac
