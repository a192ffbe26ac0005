"""Durability: no click that got its 302 is lost when the web process is SIGKILLed.

A real granian process serves the real app (config.wsgi) on a database of its own (a
SQLite file, or a fresh PostgreSQL database when the suite runs with DATABASE_URL). Clients
click a tracked link; the web process group is killed with SIGKILL while clicks are still
arriving; then the ingester runs, and every click that received a 302 is in the database.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests import installed_var, schema_cache

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def env(tmp_path: Path):
    base = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "kill-test-secret-key-" + "x" * 40,
        "FIELD_ENCRYPTION_KEY": "kill-test-field-key-" + "y" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTEVOIX_VAR_DIR": str(tmp_path / "var"),
        "CLICK_SEGMENT_SECONDS": "3600",
        "PYTHONUNBUFFERED": "1",
    }
    database_url = os.environ.get("DATABASE_URL", "")
    dbname = None
    if database_url:
        import psycopg

        dbname = f"pv_kill_{uuid.uuid4().hex[:10]}"
        parts = urlsplit(database_url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            # From the migrated template of the test databases when there is one
            # (tests/schema_cache.py): `migrate` below then has nothing left to apply.
            template = schema_cache.POSTGRES_TEMPLATE
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{dbname}"{suffix}')
        base["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{dbname}"))
    if os.environ.get("REDIS_URL"):
        base["REDIS_URL"] = os.environ["REDIS_URL"]
    yield base
    if dbname:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str, code: str | None = None) -> str:
    cmd = [sys.executable, str(ROOT / "manage.py"), *args]
    if code is not None:
        cmd += ["-c", code]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


SETUP = """
from tests import factories
from portevoix.accounts.roles import Role
from portevoix.sharing.services import link_get_or_create
org = factories.make_org("Kill")
manager = factories.make_member(org, Role.CONTENT_MANAGER)
approver = factories.make_member(org, Role.APPROVER)
ambassador = factories.make_member(org, ambassador=True)
item = factories.make_live_item(manager, approver, link="https://example.org/kill")
print("CODE=" + link_get_or_create(membership=ambassador, item=item, network="x").code)
"""

COUNT = "from portevoix.sharing.models import Click; print('ROWS=%d' % Click.objects.count())"


def test_no_answered_click_is_lost_when_the_web_process_is_killed(env: dict[str, str]):
    if "DATABASE_URL" in env:
        manage(env, "migrate", "--noinput", "-v", "0")
    else:  # the SQLite file: `migrate` made once and copied (tests/installed_var.py)
        installed_var.install(Path(env["PORTEVOIX_VAR_DIR"]), static=False)
    code = manage(env, "shell", code=SETUP).split("CODE=")[1].split()[0]
    port = _free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "granian", "config.wsgi:application", "--interface", "wsgi",
         "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--blocking-threads", "4", "--no-respawn-failed-workers"],
        cwd=ROOT, env=env, process_group=0,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("the web process did not start")
                time.sleep(0.3)

        answered = [0] * 8
        stop = threading.Event()

        def clicker(slot: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    conn.request(
                        "GET", f"/l/{code}",
                        headers={"User-Agent": BROWSER, "X-Test": f"{slot}-{n}"},
                    )  # fmt: skip
                    response = conn.getresponse()
                    response.read()
                    if response.status == 302:
                        answered[slot] += 1
                except (OSError, http.client.HTTPException):
                    return  # the server is gone

        threads = [threading.Thread(target=clicker, args=(i,)) for i in range(len(answered))]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        os.killpg(web.pid, signal.SIGKILL)  # under load, right after answering
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        web.wait(timeout=10)
    finally:
        if web.poll() is None:
            os.killpg(web.pid, signal.SIGKILL)
            web.wait(timeout=10)

    received = sum(answered)
    assert received > 50, "too few clicks were answered for the test to mean anything"
    manage(env, "ingest_clicks")
    rows = int(manage(env, "shell", code=COUNT).split("ROWS=")[1].split()[0])
    # Every answered click is there; a few more may have been journaled and answered
    # while the client was being torn down.
    assert rows >= received, (rows, received)
    assert rows <= received + len(answered)
