"""Helpers of the Slack and Teams tests: channels, a live item, and the Adaptive Cards
validator of the `adaptivecards` npm package (tests/notifications/adaptive_validate.js)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from portevoix.accounts.roles import Role
from portevoix.notifications.chat import services as chat_services
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
VALIDATOR = Path(__file__).with_name("adaptive_validate.js")


def channel(admin: Any, *, kind: str = "slack", url: str = "", events: list[str] | None = None):
    return chat_services.connection_create(
        actor=admin,
        data=chat_services.ConnectionData(
            kind=kind,
            name=f"#{kind}-news",
            webhook_url=url or f"https://hooks.example.com/{kind}/T000/B000/secret",
            events=events if events is not None else ["live", "important", "goal", "digest"],
        ),
    )


def live_item(org: Any, **overrides: Any):
    author = factories.make_member(org, Role.CONTENT_MANAGER)
    approver = factories.make_member(org, Role.APPROVER)
    return factories.make_live_item(author, approver, **overrides)


def adaptive_card_errors(cards: list[dict[str, Any]]) -> list[list[str]]:
    """Each card parsed by the `adaptivecards` npm package: its parse and validation
    messages (empty lists: valid)."""
    node = shutil.which("node")
    installed = (ROOT / "node_modules" / "adaptivecards").is_dir()
    if not (node and installed):
        # As the accessibility tests do without axe-core: skipped on a laptop without npm,
        # a failure in CI (where `make install` runs `npm ci`).
        if os.environ.get("CI"):
            pytest.fail("node and the adaptivecards npm package (npm ci) are needed")
        pytest.skip("node or the adaptivecards npm package is missing (npm ci)")
    assert node
    result = subprocess.run(
        [node, str(VALIDATOR)],
        input=json.dumps(cards),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    answer: list[list[str]] = json.loads(result.stdout)
    return answer
