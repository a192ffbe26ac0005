"""Run the engagement and follower sync once, now (the worker runs them every 30 minutes and
every hour)."""

from typing import Any

from django.core.management.base import BaseCommand

from portevoix.publishing import sync


class Command(BaseCommand):
    help = "Read likes, replies, reposts, quotes, views and follower counts from the networks now."

    def handle(self, *args: Any, **options: Any) -> None:
        refreshed = sync.connections_refresh_expiring()
        posts = sync.engagement_sync()
        accounts = sync.followers_sync()
        self.stdout.write(
            f"tokens refreshed: {refreshed}, posts with new figures: {posts}, "
            f"accounts with follower counts: {accounts}"
        )
