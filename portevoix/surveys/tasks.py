"""Background tasks of surveys: thin, they call services. The periodic run is declared in
`config/schedule.py`, like every schedule."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from . import services


@db_task()
def tick() -> dict[str, int]:
    """The due reminders (each once), then the surveys past their deadline closed."""
    return services.surveys_tick()
