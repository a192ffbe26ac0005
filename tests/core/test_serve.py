"""`manage.py serve` as a real process: granian, the huey consumer and the click ingester,
stopped together."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import installed_var

pytestmark = pytest.mark.slow

BASE_DIR = Path(__file__).resolve().parents[2]
MANAGE = str(BASE_DIR / "manage.py")
STARTED = re.compile(r"granian pid (\d+).*huey pid (\d+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def production_env(var_dir: Path) -> dict[str, str]:
    """The environment of a production install: DEBUG off, SQLite and the huey queue in
    `var_dir`. Nothing from the test settings (or a DATABASE_URL / REDIS_URL of CI) leaks in."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    return {
        **{name: os.environ[name] for name in keep if name in os.environ},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "serve-test-secret-key-that-is-long-enough-0123456789",
        "FIELD_ENCRYPTION_KEY": "serve-test-field-encryption-key-long-enough-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "PORTEVOIX_VAR_DIR": str(var_dir),
        "WEB_CONCURRENCY": "1",
        "HUEY_WORKERS": "1",
    }


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    var_dir = tmp_path_factory.mktemp("serve-var")
    installed_var.install(var_dir)  # `migrate` and `collectstatic`, made once and copied
    return production_env(var_dir)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    web_pid: int
    worker_pid: int

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def get(url: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def start(env: dict[str, str], log: Path) -> Server:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, MANAGE, "serve"],
            cwd=BASE_DIR, env={**env, "PORT": str(port)}, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    pids = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited with {process.returncode}:\n{log.read_text()}")
        pids = pids or STARTED.search(log.read_text(errors="replace"))
        if pids:
            try:
                if get(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                    return Server(process, port, log, int(pids[1]), int(pids[2]))
            except OSError:
                pass
        time.sleep(0.2)
    process.kill()
    pytest.fail(f"serve did not answer on /healthz within 60 s:\n{log.read_text()}")


@pytest.fixture
def server(install: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    running = start(install, tmp_path / "serve.log")
    yield running
    if running.process.poll() is None:  # a failed test: do not leave processes behind
        running.process.send_signal(signal.SIGKILL)
        running.process.wait(timeout=10)
    for pid in (running.web_pid, running.worker_pid):
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_serves_with_granian_then_stops_the_children_on_sigterm(server: Server):
    status, _headers = get(server.url("/healthz"))
    assert status == 200
    assert "granian" in server.output()
    status, _headers = get(server.url("/login/"))  # a template with hashed static files
    assert status == 200
    assert "Portevoix is running at http://127.0.0.1:" in server.output()
    # The web answers first; let the consumer finish starting so that it can stop cleanly.
    deadline = time.monotonic() + 30
    while "Huey consumer started" not in server.output() and time.monotonic() < deadline:
        assert alive(server.worker_pid), server.output()
        time.sleep(0.1)

    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=15) == 0
    deadline = time.monotonic() + 5
    while (alive(server.web_pid) or alive(server.worker_pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(server.web_pid), server.output()
    assert not alive(server.worker_pid), server.output()
    with pytest.raises(OSError):
        get(server.url("/healthz"))
    assert "Consumer exiting" in server.output()  # huey stopped cleanly, not killed


def test_when_one_child_dies_the_other_is_stopped(server: Server):
    os.kill(server.worker_pid, signal.SIGKILL)
    assert server.process.wait(timeout=30) != 0
    assert "worker process exited" in server.output()
    assert not alive(server.web_pid)
    with pytest.raises(OSError):
        get(server.url("/healthz"))
