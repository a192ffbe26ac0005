"""A real Mastodon-shaped server for the tests: the `mastodon-mock` package (PyPI
`mastodon-mock`, a FastAPI app on SQLite) run as a subprocess on 127.0.0.1.

`run_mastodon_mock()` starts `python -m mastodon_mock serve` on a free port with a
file-backed SQLite database in a temporary directory (so each pytest-xdist worker runs its
own), waits until it answers, yields a `MastodonPeer` and stops the process.

What the mock does (mastodon_mock 0.6.1, read in its source: routers/oauth.py,
routers/statuses.py, middleware.py, faults.py), compared with the Mastodon documentation
(https://docs.joinmastodon.org/methods/oauth/, /methods/apps/, /methods/statuses/,
/methods/accounts/, /api/rate-limits/):

- `POST /api/v1/apps` registers an app and returns client_id/client_secret, as documented.
- `GET /oauth/authorize` renders an account picker (no login, no password: the mock has
  no passwords at all); submitting it (`POST /oauth/authorize` with `username`) redirects
  to `redirect_uri?code=...&state=...`. The code is `mockcode_<username>`. The mock
  ignores `code_challenge`, and `POST /oauth/token` checks neither the client secret, the
  redirect URI nor the PKCE `code_verifier`.
- `POST /api/v1/statuses` honours `Idempotency-Key` (per account; the mock keeps keys
  forever where real Mastodon keeps them one hour): the same key returns the first
  status, whatever the new text.
- 401 for an unknown token says `{"error": "This method requires an authenticated
  user"}` (real Mastodon: "The access token is invalid"); 422 for a too-long text
  (500 characters) says `{"error": "Validation failed: Text is too long ..."}`.
- Rate limiting is opt-in; enabled here with Mastodon's documented default (300 requests
  per 5 minutes). The mock sends `X-RateLimit-Reset` as epoch seconds where Mastodon sends
  ISO 8601; `fail_next()` (the mock's fault-injection plane) gives a 429 with the real
  headers.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

# Accounts seeded at start-up (their tokens are mock fixtures, not secrets).
AMBASSADOR = ("ambassador", "Ada Ambassador", "ambassador_token")
FAN = ("fan", "Fred Fan", "fan_token")


@dataclass
class MockAccount:
    id: str
    username: str
    access_token: str


class _AuthorizeForm(HTMLParser):
    """Reads the mock's account-picker form: its action, hidden fields and usernames."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.usernames: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = values.get("action", "")
        elif tag == "input" and values.get("type") == "hidden":
            self.fields[values.get("name", "")] = values.get("value", "")
        elif tag == "button" and values.get("name") == "username":
            self.usernames.append(values.get("value", ""))


@dataclass
class MastodonPeer:
    base_url: str
    db_path: Path
    startup_seconds: float
    ambassador_token: str = AMBASSADOR[2]
    fan_token: str = FAN[2]
    _client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=10))

    # ---- raw access

    def api(self, method: str, path: str, *, token: str = "", **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self._client.request(method, self.base_url + path, headers=headers, **kwargs)

    def _ok(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            raise AssertionError(
                f"mastodon mock: {response.request.method} {response.request.url} -> "
                f"{response.status_code} {response.text[:300]}"
            )
        return response.json()

    # ---- accounts

    def me(self, token: str) -> dict[str, Any]:
        return self._ok(self.api("GET", "/api/v1/accounts/verify_credentials", token=token))

    def create_account(self, username: str, display_name: str = "") -> MockAccount:
        """A fresh local account with a user token (the mock's `/api/v1/_mock/dev_user`)."""
        data = self._ok(
            self.api(
                "POST",
                "/api/v1/_mock/dev_user",
                json={"username": username, "display_name": display_name or username},
            )
        )
        return MockAccount(data["id"], data["username"], data["access_token"])

    def login(self, username: str) -> str:
        """A new user token for an existing account (the mock's `/api/v1/_mock/login`)."""
        data = self._ok(self.api("POST", "/api/v1/_mock/login", json={"username": username}))
        return str(data["access_token"])

    # ---- the authorization page, as a browser would go through it

    def authorize(self, authorize_url: str, username: str) -> dict[str, str]:
        """Open the authorize URL, pick `username` on the mock's page, follow nothing:
        return the query of the redirect (`code`, `state`)."""
        page = self._client.get(authorize_url)
        if page.status_code != 200:
            raise AssertionError(f"authorize page: {page.status_code} {page.text[:300]}")
        form = _AuthorizeForm()
        form.feed(page.text)
        if username not in form.usernames:
            raise AssertionError(f"{username!r} is not offered by the authorize page")
        answer = self._client.post(
            urljoin(authorize_url, form.action), data={**form.fields, "username": username}
        )
        if answer.status_code != 302:
            raise AssertionError(f"authorize submit: {answer.status_code} {answer.text[:300]}")
        location = answer.headers["location"]
        return {k: v[-1] for k, v in parse_qs(urlsplit(location).query).items()}

    # ---- what other people do to a status

    def favourite(self, token: str, status_id: str) -> None:
        self._ok(self.api("POST", f"/api/v1/statuses/{status_id}/favourite", token=token))

    def reblog(self, token: str, status_id: str) -> None:
        self._ok(self.api("POST", f"/api/v1/statuses/{status_id}/reblog", token=token))

    def reply(self, token: str, status_id: str, text: str) -> dict[str, Any]:
        return self._ok(
            self.api(
                "POST",
                "/api/v1/statuses",
                token=token,
                data={"status": text, "in_reply_to_id": status_id},
            )
        )

    def follow(self, token: str, account_id: str) -> None:
        self._ok(self.api("POST", f"/api/v1/accounts/{account_id}/follow", token=token))

    def post_status(self, token: str, text: str, idempotency_key: str = "") -> dict[str, Any]:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return self._ok(
            self.api(
                "POST",
                "/api/v1/statuses",
                token=token,
                data={"status": text, "visibility": "public"},
                headers=headers,
            )
        )

    def statuses_of(self, account_id: str, token: str = "") -> list[dict[str, Any]]:
        return list(
            self._ok(
                self.api("GET", f"/api/v1/accounts/{account_id}/statuses?limit=40", token=token)
            )
        )

    # ---- fault injection (the mock's own control plane, spec/fault_injection.md)

    def add_fault(
        self,
        *,
        method: str,
        path: str,
        effect: dict[str, Any],
        count: int = 1,
    ) -> dict[str, Any]:
        """The next `count` matching requests get `effect` (`{"type": "status", "status":
        429, "body": ..., "headers": ...}`, `{"type": "latency", "delay_ms": 800}`...)."""
        return self._ok(
            self.api(
                "POST",
                "/api/v1/_mock/faults",
                json={
                    "match": {"methods": [method], "path": path},
                    "effect": effect,
                    "count": count,
                },
            )
        )

    def fail_next(
        self,
        method: str,
        path: str,
        status: int,
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
        count: int = 1,
    ) -> None:
        self.add_fault(
            method=method,
            path=path,
            effect={"type": "status", "status": status, "body": body, "headers": headers or {}},
            count=count,
        )

    def clear_faults(self) -> None:
        self._ok(self.api("DELETE", "/api/v1/_mock/faults"))

    def close(self) -> None:
        self._client.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string for the characters used here.
    return json.dumps(value)


def write_config(
    path: Path,
    *,
    database: Path,
    domain: str,
    accounts: list[tuple[str, str, str]],
    title: str = "Portevoix local Mastodon",
    ratelimit: bool = True,
    heartbeat_seconds: float | None = None,
) -> Path:
    """A `.mastodon_mock.toml`: file-backed SQLite, public URLs on `domain` over http,
    Mastodon's default rate limit, and the seeded accounts (username, name, token)."""
    lines = [
        f"domain = {_toml_string(domain)}",
        'url_scheme = "http"',
        f"title = {_toml_string(title)}",
        "",
        "[database]",
        f"path = {_toml_string(str(database))}",
        "",
        "[ratelimit]",
        f"enabled = {'true' if ratelimit else 'false'}",
        "limit = 300",
        "window_seconds = 300",
        "",
    ]
    if heartbeat_seconds is not None:  # the streaming API's keep-alive comment (":thump")
        lines += ["[streaming]", f"heartbeat_seconds = {heartbeat_seconds}", ""]
    for username, display_name, token in accounts:
        lines += [
            "[[seed.accounts]]",
            f"username = {_toml_string(username)}",
            f"display_name = {_toml_string(display_name)}",
            f"access_token = {_toml_string(token)}",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _wait_ready(proc: subprocess.Popen[bytes], base_url: str, title: str, timeout: float) -> bool:
    """Until our process answers (its instance title is ours: not another worker's server
    that took the port first)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=1) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            try:
                response = client.get(base_url + "/api/v1/instance")
                if response.status_code == 200:
                    return bool(response.json().get("title") == title)
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.05)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@contextmanager
def run_mastodon_mock(
    directory: Path | None = None,
    *,
    startup_timeout: float = 60.0,
    heartbeat_seconds: float | None = None,
) -> Iterator[MastodonPeer]:
    """Start the mock on 127.0.0.1 (free port, SQLite file in `directory` or a new
    temporary directory), yield a `MastodonPeer`, stop it. `heartbeat_seconds`: how often
    its streams send their keep-alive comment (the mock's default, as Mastodon's: 15)."""
    with tempfile.TemporaryDirectory(prefix="mastodon-mock-") as tmp:
        workdir = Path(directory or tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        database = workdir / "mastodon.sqlite"
        log_path = workdir / "mastodon.log"
        last_error = ""
        for _ in range(3):  # a free port may be taken between our probe and the bind
            port = _free_port()
            base_url = f"http://127.0.0.1:{port}"
            title = f"Portevoix test Mastodon {os.getpid()}-{port}"
            config = write_config(
                workdir / "mastodon_mock.toml",
                database=database,
                domain=f"127.0.0.1:{port}",
                accounts=[AMBASSADOR, FAN],
                title=title,
                heartbeat_seconds=heartbeat_seconds,
            )
            started = time.monotonic()
            with log_path.open("wb") as log:
                proc = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "mastodon_mock",
                        "serve",
                        "--config",
                        str(config),
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--log-level",
                        "warning",
                    ],
                    cwd=workdir,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, "PYTHONUNBUFFERED": "1"},
                )
            if _wait_ready(proc, base_url, title, startup_timeout):
                peer = MastodonPeer(
                    base_url=base_url,
                    db_path=database,
                    startup_seconds=time.monotonic() - started,
                )
                try:
                    yield peer
                finally:
                    peer.close()
                    _stop(proc)
                return
            _stop(proc)
            last_error = log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"mastodon_mock did not start:\n{last_error}")
