"""Analytics' background work: the periodic check of the goals (thin: it calls the service)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from . import services


@db_task()
def check_goals() -> int:
    """Record the goals that reached their target (each once) and announce them."""
    return services.goals_check()
