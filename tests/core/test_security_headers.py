"""Security headers: a Content-Security-Policy without inline script, a Permissions-Policy, and
HSTS only when HTTPS is on (HTTPS=1)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.test import Client

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "portevoix"


def directives(header: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/healthz", "/api/v1/docs"])
def test_csp_allows_no_inline_script(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert "'unsafe-inline'" not in policy["style-src"]
    assert "style-src-attr" not in policy  # no style attribute either (heatmap shades are classes)
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]


@pytest.mark.django_db
def test_permissions_policy_turns_off_devices(client: Client) -> None:
    header = client.get("/login/")["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in header


@pytest.mark.django_db
def test_headers_on_a_logged_in_page(client: Client, member: Membership) -> None:
    client.force_login(member.user)
    response = client.get("/dashboard/")
    assert response.status_code in {200, 302}
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "Permissions-Policy" in response


def test_templates_hold_no_inline_script_event_handler_or_style() -> None:
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    style = re.compile(r"\sstyle\s*=", re.IGNORECASE)
    found = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for pattern in (inline_script, handler, style):
            found += [f"{template.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []


SHOW_HSTS = """
import django, json
django.setup()
from django.conf import settings
from django.test import Client
response = Client(HTTP_X_FORWARDED_PROTO="https").get("/healthz", secure=True)
print(json.dumps({"seconds": getattr(settings, "SECURE_HSTS_SECONDS", 0),
                  "header": response.headers.get("Strict-Transport-Security")}))
"""


def _hsts(env: dict[str, str], tmp_path: Path) -> dict[str, object]:
    base = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "x" * 50,
        "FIELD_ENCRYPTION_KEY": "y" * 50,
        "ALLOWED_HOSTS": "testserver",
        "PORTEVOIX_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", SHOW_HSTS],
        cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.slow
def test_no_hsts_without_https(tmp_path: Path) -> None:
    assert _hsts({}, tmp_path) == {"seconds": 0, "header": None}


@pytest.mark.slow
def test_hsts_for_a_year_with_https(tmp_path: Path) -> None:
    shown = _hsts({"HTTPS": "1"}, tmp_path)
    assert shown == {"seconds": 31_536_000, "header": "max-age=31536000"}


@pytest.mark.slow
def test_hsts_duration_can_be_set(tmp_path: Path) -> None:
    assert _hsts({"HTTPS": "1", "SECURE_HSTS_SECONDS": "300"}, tmp_path)["header"] == "max-age=300"
