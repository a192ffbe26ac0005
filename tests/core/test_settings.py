"""Configuration comes from the environment and fails loudly when production needs more."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _load(env: dict[str, str], tmp: str = "") -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings"}
    if tmp:
        base["PORTEVOIX_VAR_DIR"] = tmp
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_fails_loudly_in_production() -> None:
    result = _load({"ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_missing_field_encryption_key_fails_loudly_in_production() -> None:
    result = _load({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY is required" in result.stderr


def test_short_field_encryption_key_is_refused() -> None:
    env = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org", "FIELD_ENCRYPTION_KEY": "short"}
    result = _load(env)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY must be at least 32 characters" in result.stderr


def test_missing_allowed_hosts_fails_loudly() -> None:
    result = _load({"SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is required" in result.stderr


def test_short_secret_key_is_refused() -> None:
    result = _load({"SECRET_KEY": "short", "ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0
    assert "at least 32 characters" in result.stderr


def test_bad_boolean_is_refused() -> None:
    result = _load({"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "is not a boolean" in result.stderr


def test_debug_is_off_unless_asked(tmp_path: Path) -> None:
    env = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org", "FIELD_ENCRYPTION_KEY": "y" * 50}
    result = _load(env, str(tmp_path / "v"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    result = _load({"DEBUG": "1"}, str(tmp_path / "v"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
