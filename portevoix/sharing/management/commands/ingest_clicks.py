"""`manage.py ingest_clicks`: move clicks from the redirect's journal into the database."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portevoix.sharing.redirect import ingest


class Command(BaseCommand):
    help = (
        "Read the click journal (CLICK_JOURNAL_DIR) and insert the clicks in batches. "
        "--follow keeps running (one ingester per journal directory; `serve` starts one)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--follow", action="store_true", help="Keep following the journal.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between reads.")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if options["follow"]:
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
        try:
            report = ingest.run(follow=options["follow"], interval=options["interval"], stop=stop)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{report.inserted} click(s) inserted from {report.lines} journal line(s); "
            f"{report.segments_done} segment(s) done; {report.malformed} malformed."
        )
