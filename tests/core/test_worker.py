"""A web worker's start (docs/decisions/0039-web-worker-gc.md): what the first request would
load is loaded at start, then frozen out of the garbage collector's scans, with the
configured thresholds; a bad `WEB_GC_THRESHOLD` fails loudly; the served application
(`config.wsgi`) does it in its own process."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_ints
from portevoix.core import worker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def restored_gc():
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_settle_freezes_what_is_loaded_and_sets_the_thresholds(settings, restored_gc):
    settings.WEB_GC_FREEZE = True
    settings.WEB_GC_THRESHOLD = (7000, 10, 10)
    frozen = worker.settle()
    assert frozen > 10_000  # modules, the URLconf, the catalogs
    # Frozen objects are still freed by their reference count (another thread's, here): the
    # count may only fall a little from what settle answered.
    assert frozen * 0.9 < gc.get_freeze_count() <= frozen
    assert gc.get_threshold() == (7000, 10, 10)
    assert "config.urls" in sys.modules


def test_settle_without_freezing_keeps_every_object_scanned(settings, restored_gc):
    settings.WEB_GC_FREEZE = False
    settings.WEB_GC_THRESHOLD = (700, 10, 10)
    assert worker.settle() == 0
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", (7000, 10, 10)), ("700,10,10", (700, 10, 10)), (" 9000 , 20, 5 ", (9000, 20, 5))],
)
def test_thresholds_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("WEB_GC_THRESHOLD", value)
    assert env_ints("WEB_GC_THRESHOLD", (7000, 10, 10)) == expected


@pytest.mark.parametrize("value", ["7000", "7000,10", "a,b,c", "7000,-1,10", "1,2,3,4"])
def test_a_bad_threshold_fails_loudly(monkeypatch, value):
    monkeypatch.setenv("WEB_GC_THRESHOLD", value)
    with pytest.raises(ImproperlyConfigured, match="WEB_GC_THRESHOLD"):
        env_ints("WEB_GC_THRESHOLD", (7000, 10, 10))


@pytest.mark.slow
@pytest.mark.parametrize(("freeze", "frozen"), [("1", True), ("0", False)])
def test_the_served_application_settles_its_own_process(freeze, frozen):
    code = (
        "import gc, config.wsgi; "
        "print(gc.get_freeze_count(), *gc.get_threshold(), callable(config.wsgi.application))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "WEB_GC_FREEZE": freeze,
            "WEB_GC_THRESHOLD": "8000,10,10",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    count, *thresholds, is_app = result.stdout.split()
    assert (int(count) > 100_000) is frozen
    assert thresholds == ["8000", "10", "10"]
    assert is_app == "True"
