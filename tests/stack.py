"""The real stack in subprocesses, for the tests that start it (the redirect kill test, the
two-host test): a production environment on a database of its own, `manage.py` commands,
and the granian command line of a web process.

The database is a SQLite file in the test's var directory (copied from the migrated install,
tests/installed_var.py), or, when the suite runs with DATABASE_URL, a fresh PostgreSQL
database made from the migrated template of the test databases (tests/schema_cache.py) and
dropped at the end.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests import installed_var, schema_cache

ROOT = Path(__file__).resolve().parents[1]
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def stack_env(
    var_dir: Path, prefix: str, *, allowed_hosts: str = "127.0.0.1,localhost"
) -> Iterator[dict[str, str]]:
    """A production environment of its own: secrets, var directory, and its database."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": f"{prefix}-test-secret-key-" + "x" * 40,
        "FIELD_ENCRYPTION_KEY": f"{prefix}-test-field-key-" + "y" * 40,
        "ALLOWED_HOSTS": allowed_hosts,
        "PORTEVOIX_VAR_DIR": str(var_dir),
        "CLICK_SEGMENT_SECONDS": "3600",
        "PYTHONUNBUFFERED": "1",
    }
    database_url = os.environ.get("DATABASE_URL", "")
    dbname = None
    admin_url = ""
    if database_url:
        import psycopg

        dbname = f"pv_{prefix}_{uuid.uuid4().hex[:10]}"
        parts = urlsplit(database_url)
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            # From the migrated template of the test databases when there is one:
            # `migrate` then has nothing left to apply.
            template = schema_cache.POSTGRES_TEMPLATE
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{dbname}"{suffix}')
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{dbname}"))
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    try:
        if dbname:
            manage(env, "migrate", "--noinput", "-v", "0")
        else:  # the SQLite file: `migrate` made once and copied
            installed_var.install(var_dir, static=False)
        yield env
    finally:
        if dbname:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str, code: str | None = None, timeout: int = 300) -> str:
    """Run `manage.py args` (or `manage.py shell -c code`) in that environment; its stdout."""
    cmd = [sys.executable, str(ROOT / "manage.py"), *args]
    if code is not None:
        cmd += ["-c", code]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def granian_cmd(host: str, port: int, *, threads: int = 4) -> list[str]:
    """One granian worker process serving the real app, no respawn (a killed one stays dead)."""
    return [
        sys.executable, "-m", "granian", "config.wsgi:application", "--interface", "wsgi",
        "--host", host, "--port", str(port), "--workers", "1",
        "--blocking-threads", str(threads), "--no-respawn-failed-workers",
    ]  # fmt: skip


def wait_healthy(host: str, port: int, *, seconds: float = 90) -> bool:
    """Poll /healthz until it answers 200 (True) or the time is up (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False
