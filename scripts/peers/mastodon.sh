#!/usr/bin/env bash
# A local Mastodon for the demo: the `mastodon-mock` server (PyPI mastodon-mock, installed by
# `make install`) on 127.0.0.1 with a persistent SQLite database under var/peers/.
#
#   scripts/peers/mastodon.sh run [port]     (default port 3001; Ctrl-C stops it)
#
# Then start the platform allowing this private address, e.g.
#   SOCIAL_ALLOWED_PRIVATE_HOSTS=127.0.0.1 make run
# and connect the demo ambassador's Mastodon account to http://127.0.0.1:<port>.
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() {
  echo "usage: $0 run [port]" >&2
  exit 2
}

[ "${1:-}" = "run" ] || usage
PORT="${2:-3001}"
case "$PORT" in
  '' | *[!0-9]*) usage ;;
esac
PY=.venv/bin/python
if ! "$PY" -c 'import mastodon_mock' 2>/dev/null; then
  echo "mastodon-mock is not installed in .venv: run 'make install' first." >&2
  exit 1
fi

DIR="$PWD/var/peers"
mkdir -p "$DIR"
CONFIG="$DIR/mastodon.toml"
# Same accounts as the tests' peer (tests/peers/mastodon_peer.py); the data persists in
# var/peers/mastodon.sqlite (delete it to start afresh).
"$PY" - "$CONFIG" "$DIR/mastodon.sqlite" "$PORT" <<'PYEOF'
import sys
from pathlib import Path

from tests.peers.mastodon_peer import AMBASSADOR, FAN, write_config

config, database, port = sys.argv[1:4]
write_config(
    Path(config),
    database=Path(database),
    domain=f"127.0.0.1:{port}",
    accounts=[AMBASSADOR, FAN],
)
PYEOF

URL="http://127.0.0.1:$PORT"
cat <<INFO
Local Mastodon (mastodon-mock) on $URL  -- data in var/peers/mastodon.sqlite

In Portevoix (started with SOCIAL_ALLOWED_PRIVATE_HOSTS=127.0.0.1 make run):
  Connect a Mastodon account, server / instance URL:  $URL
  On the mock's authorization page, click "Ada Ambassador (@ambassador)".
  (The mock has no passwords: that page lists its accounts and you pick one.)

Test accounts:
  @ambassador@127.0.0.1:$PORT  access token: ambassador_token
  @fan@127.0.0.1:$PORT         access token: fan_token  (to like / boost / reply / follow)
  e.g. curl -X POST -H 'Authorization: Bearer fan_token' $URL/api/v1/statuses/<id>/favourite
       curl -X POST -H 'Authorization: Bearer fan_token' $URL/api/v1/statuses/<id>/reblog
Web UI of the mock: $URL/_ui/

INFO
exec "$PY" -m mastodon_mock serve --config "$CONFIG" --host 127.0.0.1 --port "$PORT" --log-level warning
