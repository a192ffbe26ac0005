"""Recompute the share of voice counts (`VoiceDay`) from the stored mentions, for a range
of days, for one organization or all (decision 0028). Idempotent: run it as often as you
like. Days older than an organization's retention are left as they are (their mentions
are purged; their counts are kept)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portevoix.core import clock
from portevoix.listening import voice
from portevoix.listening.models import Monitor


class Command(BaseCommand):
    help = "Recompute the share of voice counts of the last DAYS days from the mentions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=730, help="how many days back (730)")
        parser.add_argument("--organization", type=int, help="one organization's id (all)")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days < 1:
            raise CommandError("--days must be at least 1")
        end = voice.local_day(clock.now())
        start = end - dt.timedelta(days=days - 1)
        organizations = (
            [options["organization"]]
            if options["organization"]
            else sorted(set(Monitor.objects.values_list("organization_id", flat=True)))
        )
        cells = sum(voice.recount(org, start, end) for org in organizations)
        self.stdout.write(f"{len(organizations)} organization(s), {cells} cell(s) from {start}")
