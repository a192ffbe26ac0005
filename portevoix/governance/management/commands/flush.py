"""`flush` empties every table, the audit log included (the test suite calls it between
transactional tests). On SQLite the audit log's DELETE trigger is unlocked for its duration;
see `portevoix.governance.db`."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand

from portevoix.governance.db import flush_unlocked


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        with flush_unlocked():
            super().handle(**options)
