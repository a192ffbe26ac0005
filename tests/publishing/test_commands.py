"""The management commands that run the scheduler and the sync once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from portevoix.core import clock
from portevoix.publishing import services
from portevoix.publishing.models import Post, PostState

pytestmark = pytest.mark.django_db


def test_publish_due_then_sync(ambassador, item, x_connection, fake_x):
    post = services.post_create(
        actor=ambassador,
        draft=services.PostDraft(
            connection_id=x_connection.pk,
            item_id=item.pk,
            when="at",
            at=clock.now() + dt.timedelta(hours=1),
        ),
    )
    Post.objects.filter(pk=post.pk).update(scheduled_at=clock.now())
    out = io.StringIO()
    call_command("publish_due", stdout=out)
    assert "published: 1" in out.getvalue()
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    fake_x.set_metrics(post.remote_id, like_count=3)
    out = io.StringIO()
    call_command("publishing_sync", stdout=out)
    assert "posts with new figures: 1" in out.getvalue()
    assert "accounts with follower counts: 1" in out.getvalue()
