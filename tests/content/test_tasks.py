from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from huey.contrib.djhuey import HUEY

from config import schedule
from portevoix.content import tasks
from portevoix.content.models import State
from portevoix.core import clock
from tests.factories import make_live_item

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]


def test_periodic_refresh_moves_an_approved_item_live_at_publish_time(
    manager, approver, monkeypatch
):
    start = clock.now()
    item = make_live_item(manager, approver, publish_at=start + dt.timedelta(hours=1))
    assert item.state == State.APPROVED

    monkeypatch.setattr(clock, "now", lambda: start + dt.timedelta(hours=2))
    # Immediate mode (tests): the periodic task runs now, in this process. Huey keeps no
    # result for periodic tasks; the state of the item tells.
    schedule.content_refresh_states()

    item.refresh_from_db()
    assert item.state == State.LIVE
    last = item.transitions.last()
    assert last is not None
    assert (last.action, last.from_state, last.to_state, last.actor) == (
        "schedule",
        State.APPROVED,
        State.LIVE,
        None,
    )
    assert schedule.content_refresh_states.call_local() == 0  # nothing left to do


def test_refresh_task_expires_a_live_item(manager, approver, monkeypatch):
    start = clock.now()
    item = make_live_item(manager, approver, expire_at=start + dt.timedelta(days=1))
    assert item.state == State.LIVE
    monkeypatch.setattr(clock, "now", lambda: start + dt.timedelta(days=2))
    assert tasks.refresh_states().get() == 1
    item.refresh_from_db()
    assert item.state == State.EXPIRED


def periodic_names(timestamp: dt.datetime) -> set[str]:
    return {HUEY._registry.task_to_string(type(task)) for task in HUEY.read_periodic(timestamp)}


def test_refresh_runs_every_minute():
    for minute in (0, 1, 37, 59):
        due = periodic_names(dt.datetime(2026, 3, 4, 10, minute))
        assert "config.schedule.content_refresh_states" in due


def test_the_worker_discovers_the_schedule():
    """A fresh `run_huey` imports the `tasks` modules of the apps, which must be enough to
    register every periodic task of config/schedule.py."""
    script = (
        "import django; django.setup()\n"
        "from django.utils.module_loading import autodiscover_modules\n"
        "autodiscover_modules('tasks')\n"
        "from huey.contrib.djhuey import HUEY\n"
        "print([HUEY._registry.task_to_string(type(t)) for t in HUEY._registry.periodic_tasks])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "config.schedule.content_refresh_states" in out.stdout
