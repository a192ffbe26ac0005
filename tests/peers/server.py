"""A tiny HTTP server on 127.0.0.1 for the local fakes of the networks (tests/peers/*).

A fake is a `FakeApp`: routes registered with `@app.route("POST", "/2/tweets")` (path
parameters as `{name}`), each a function `(req: Req) -> Resp`. `serve(app)` runs it in a
thread on a free port and yields the base URL. Every request is recorded in `app.calls`
(method, path, headers, body) so tests can count what our connectors sent.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Req:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8")).items()}

    def bearer(self) -> str:
        value = self.headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else ""


@dataclass
class Resp:
    status: int = 200
    body: Any = None  # dict/list -> JSON; bytes/str as is
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode("utf-8"), "text/plain; charset=utf-8"
        if self.body is None:
            return b"", "text/plain"
        return json.dumps(self.body).encode("utf-8"), "application/json"


Handler = Callable[[Req], Resp]


class FakeApp:
    def __init__(self, name: str) -> None:
        self.name = name
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.calls: list[Req] = []
        self.lock = threading.RLock()
        # A hook run before every handler: return a Resp to answer instead (429 storms...).
        self.before: Callable[[Req], Resp | None] | None = None

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")

        def register(handler: Handler) -> Handler:
            self.routes.append((method, regex, handler))
            return handler

        return register

    def handle(self, req: Req) -> Resp:
        with self.lock:
            self.calls.append(req)
        if self.before is not None:
            early = self.before(req)
            if early is not None:
                return early
        for method, regex, handler in self.routes:
            match = regex.match(req.path)
            if match and method == req.method:
                req.params = match.groupdict()
                return handler(req)
        return Resp(404, {"error": "not found", "path": req.path})

    def count(self, method: str, path_prefix: str) -> int:
        with self.lock:
            return sum(
                1 for c in self.calls if c.method == method and c.path.startswith(path_prefix)
            )


def _handler_class(app: FakeApp) -> type[BaseHTTPRequestHandler]:
    class _H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _do(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            req = Req(
                method=self.command,
                path=parts.path,
                query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            try:
                resp = app.handle(req)
            except Exception as exc:  # a bug in a fake shows as a 500, like a real server
                resp = Resp(500, {"error": repr(exc)})
            payload, content_type = resp.encode()
            self.send_response(resp.status)
            headers = {"Content-Type": content_type, **resp.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                # The client may have given up (a "lost" answer in a test).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _do

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return _H


@contextmanager
def serve(app: FakeApp) -> Iterator[str]:
    """Run `app` on 127.0.0.1 (free port) in a thread; yield its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(app))
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"fake-{app.name}",
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
