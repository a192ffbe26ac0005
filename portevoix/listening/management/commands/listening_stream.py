"""`manage.py listening_stream`: follow the streaming listening sources (the Bluesky
firehose of every host with an active bluesky feed, decision 0026; each active Mastodon
stream feed, decision 0031) until stopped."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from portevoix.listening import stream


class Command(BaseCommand):
    help = (
        "Follow the Bluesky firehose of every host with an active bluesky feed and each "
        "active Mastodon stream feed, storing the matching posts as mentions; SIGTERM or "
        "SIGINT saves the cursors and stops. One per installation is expected (`serve` "
        "starts one)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--refresh",
            type=float,
            default=stream.REFRESH_SECONDS,
            help="Seconds between two reads of the feeds (hosts added or removed).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write("Listening stream worker started.")
        self.stdout.flush()
        stream.run_streams(stop, refresh=max(1.0, options["refresh"]))
        self.stdout.write("Listening stream worker stopped.")
