"""One pass of the publishing scheduler, now: hold what a crisis pause holds, publish every
post that is due (the worker does this every minute)."""

from typing import Any

from django.core.management.base import BaseCommand

from portevoix.publishing import engine


class Command(BaseCommand):
    help = "Publish the scheduled posts that are due (once)."

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes = engine.posts_publish_due()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())) or "nothing")
