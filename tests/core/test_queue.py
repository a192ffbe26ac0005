"""The background queue really stores and runs tasks on the configured backend:
SQLite by default, Redis when REDIS_URL is set (as in CI)."""

from __future__ import annotations

import os

from django.conf import settings
from huey import RedisHuey, SqliteHuey


def _real_huey(tmp_path):
    name = f"pv-queue-test-{os.getpid()}"
    if settings.REDIS_URL:
        return RedisHuey(name, url=settings.REDIS_URL)
    return SqliteHuey(name, filename=str(tmp_path / "huey.sqlite3"))


def test_task_is_stored_then_executed_by_a_worker(tmp_path) -> None:
    huey = _real_huey(tmp_path)
    huey.flush()
    calls: list[int] = []

    @huey.task()
    def add(a: int, b: int) -> int:
        calls.append(a + b)
        return a + b

    result = add(2, 3)
    assert huey.pending_count() == 1
    assert calls == []  # nothing ran in the caller's process
    task = huey.dequeue()
    assert task is not None
    huey.execute(task)
    assert calls == [5]
    assert result.get() == 5
    huey.flush()


def test_configured_backend_matches_environment() -> None:
    expected = "huey.RedisHuey" if settings.REDIS_URL else "huey.SqliteHuey"
    assert settings.HUEY["huey_class"] == expected
