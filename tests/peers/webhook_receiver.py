"""A webhook receiver on 127.0.0.1: every POST is checked with the standardwebhooks library
(the signing secret of the endpoint) and kept; a bad signature gets a 401.

Used by the webhook tests (`Receiver`, `serve_receiver`) and, for trying webhooks in the demo
by hand, as a program (`scripts/peers/webhooks.sh run`):

    python -m tests.peers.webhook_receiver --port 8790 --secret-file var/demo-webhook-secret

which prints one line per event it verified (its type and id) and per refusal.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from standardwebhooks.webhooks import Webhook


@dataclass
class Receiver:
    base: str
    secret: str = ""
    status: int = 204
    location: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0
    paths: list[str] = field(default_factory=list)
    on_event: Callable[[str, dict[str, Any] | None], None] | None = None


def _handler(state: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            state.paths.append(self.path)
            headers = dict(self.headers.items())
            try:
                payload = Webhook(state.secret).verify(body, headers)
            except Exception:
                state.refused += 1
                if state.on_event:
                    state.on_event("refused", None)
                self.send_response(401)
                self.end_headers()
                return
            event = {"payload": payload, "id": headers.get("webhook-id", "")}
            state.received.append(event)
            if state.on_event:
                state.on_event("verified", event)
            self.send_response(state.status)
            if state.location:
                self.send_header("Location", state.location)
            self.end_headers()
            self.wfile.write(b"thanks")

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve_receiver(port: int = 0, secret: str = "") -> Iterator[Receiver]:
    """Run a receiver in a thread on 127.0.0.1 (a free port by default)."""
    state = Receiver(base="", secret=secret)
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--secret-file", type=Path, required=True)
    args = parser.parse_args(argv)
    secret = args.secret_file.read_text().strip()

    def show(kind: str, event: dict[str, Any] | None) -> None:
        if event is None:
            print("refused: a POST whose signature does not verify (answered 401)", flush=True)
            return
        payload = event["payload"]
        print(
            f"verified: {payload.get('type', '?')} id={event['id']} "
            f"data={json.dumps(payload.get('data', {}), sort_keys=True)}",
            flush=True,
        )

    with serve_receiver(args.port, secret) as state:
        state.on_event = show
        print(f"webhook receiver on {state.base}/ (Ctrl-C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
