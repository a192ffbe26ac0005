"""Reads of the training app.

OWNED BY THE TRAINING WORK (issue 5). `missing_required_courses` is the contract that
governance.gates relies on; the training work replaces the body with the real query.
"""

from __future__ import annotations

from typing import Any


def missing_required_courses(*, membership: Any, purpose: str) -> list[Any]:
    """Courses the organization requires for `purpose` ("share" or "personalize") that
    `membership` has not passed yet."""
    return []
