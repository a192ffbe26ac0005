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
from collections.abc import Callable
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
