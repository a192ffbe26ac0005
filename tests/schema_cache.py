"""A migrated SQLite schema kept between test runs, for the SQLite test database.

Migrating from scratch costs each test process about five seconds (the migration states of
every app are rendered again), above twenty on a loaded machine. For the SQLite test
database (in memory, or the file of a session with transactional tests), the first process
that migrates saves the result in `var/test-cache/` under a key made of every migration file
of every installed app and the Django version; the next processes, and the next runs, copy it
into the test database with SQLite's backup API instead. A changed migration gives a new key,
so a stale schema is never used. PostgreSQL migrates as usual.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.core.management.commands import migrate
from django.db import connections

CACHE_DIR = Path(__file__).resolve().parents[1] / "var" / "test-cache"


def schema_key() -> str:
    digest = hashlib.sha256(django.get_version().encode())
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        digest.update(config.label.encode())
        folder = Path(config.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else ():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def install() -> Callable[[], None]:
    """Wrap `migrate` for the test run; returns the function that restores it."""
    original = migrate.Command.handle

    def handle(self: migrate.Command, *args: Any, **options: Any) -> Any:
        connection = connections[options.get("database") or "default"]
        if connection.vendor != "sqlite":
            return original(self, *args, **options)
        cached = CACHE_DIR / f"schema-{schema_key()}.sqlite3"
        connection.ensure_connection()
        if cached.exists():
            source = sqlite3.connect(cached)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
            return None
        result = original(self, *args, **options)
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        target = sqlite3.connect(partial)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        os.replace(partial, cached)  # atomic: another process reads a whole file or none
        return result

    migrate.Command.handle = handle  # type: ignore[method-assign,assignment]

    def restore() -> None:
        migrate.Command.handle = original  # type: ignore[method-assign]

    return restore


# The template of the PostgreSQL test databases, once `postgres_template` made or found it.
POSTGRES_TEMPLATE: str | None = None


def postgres_template(database: Mapping[str, Any]) -> str:
    """A migrated PostgreSQL database to create the test databases from (`CREATE DATABASE
    ... TEMPLATE`, a file copy on the server) instead of each xdist worker running every
    migration. Named after the test database and the schema key, so a changed migration gives
    a new template (the stale ones of the same name are dropped); built once, by the first
    process that asks (an advisory lock keeps the others waiting), with `manage.py migrate`
    on the test settings, as pytest-django would migrate the test database itself."""
    import subprocess
    import sys

    import psycopg
    from psycopg import sql

    global POSTGRES_TEMPLATE
    base = f"test_{database['NAME']}"[:40]
    name = f"{base}_tmpl_{schema_key()}"
    server: dict[str, Any] = {
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", [base])  # until disconnected
        found = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{base}_tmpl_%"]
        )
        names = [row[0] for row in found.fetchall()]
        for stale in set(names) - {name}:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(stale)))
        if name not in names:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
            env["DATABASE_URL"] = _url(name, server)
            try:
                subprocess.run(
                    [sys.executable, str(CACHE_DIR.parents[1] / "manage.py"), "migrate",
                     "--noinput", "-v", "0"],
                    env=env, check=True, capture_output=True, timeout=600,
                )  # fmt: skip
            except BaseException:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
                raise
    POSTGRES_TEMPLATE = name
    return name


def _url(name: str, server: dict[str, Any]) -> str:
    from urllib.parse import quote

    user = quote(server["user"] or "", safe="")
    password = f":{quote(server['password'], safe='')}" if server["password"] else ""
    credentials = f"{user}{password}@" if user else ""
    port = f":{server['port']}" if server["port"] else ""
    return f"postgres://{credentials}{server['host'] or ''}{port}/{name}"
