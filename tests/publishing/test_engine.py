"""The publishing engine against the fake X peer: publish now, schedule, retries on 429,
permanent errors, token refresh, racing workers, a worker killed in the middle, and the
crisis pause with 1,000 scheduled posts."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import threading
import time

import pytest
from django.db import connection as db_connection
from django.db import connections as db_connections

from portevoix.analytics.models import DailyRollup
from portevoix.core import clock
from portevoix.governance.models import AuditEntry
from portevoix.publishing import engine, services, tasks
from portevoix.publishing.models import Connection, ConnectionStatus, Post, PostState
from portevoix.sharing.models import Share, ShareState
from tests.factories import make_member
from tests.publishing.conftest import connect_x

pytestmark = pytest.mark.django_db


def draft(connection, item, **kwargs):
    return services.PostDraft(connection_id=connection.pk, item_id=item.pk, **kwargs)


def due_later(ambassador, connection, item) -> Post:
    """A scheduled post made due by hand (so no task publishes it on commit)."""
    later = clock.now() + dt.timedelta(hours=1)
    post = services.post_create(
        actor=ambassador, draft=draft(connection, item, when="at", at=later)
    )
    Post.objects.filter(pk=post.pk).update(scheduled_at=clock.now() - dt.timedelta(seconds=1))
    return post


def move_clock(monkeypatch, when: dt.datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: when)


def test_publish_now_goes_out_once_and_is_counted(
    ambassador, item, x_connection, fake_x, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_create(actor=ambassador, draft=draft(x_connection, item))
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED, post.error
    tweets = fake_x.tweets_of()
    assert len(tweets) == 1
    assert post.remote_id == tweets[0].id
    assert post.remote_url.endswith(f"/status/{tweets[0].id}")
    # The tracked link is in what went out.
    assert f"https://go.example.org/l/{post.link.code}" in post.text
    assert post.share_id is not None
    share = Share.objects.get(pk=post.share_id)
    assert share.state == ShareState.PUBLISHED
    # The connected account's follower count replaces the declared audience (300 on LinkedIn).
    assert share.audience == 1234
    cell = DailyRollup.objects.get(membership_id=ambassador.pk, network="x")
    assert (cell.shares, cell.potential_reach) == (1, 1234)
    # A second run finds nothing to do.
    assert engine.post_publish(post_id=post.pk) == "not-claimed"
    assert len(fake_x.tweets_of()) == 1


def test_scheduled_post_waits_for_its_time(ambassador, item, x_connection, fake_x, monkeypatch):
    at = clock.now() + dt.timedelta(hours=3)
    post = services.post_create(actor=ambassador, draft=draft(x_connection, item, when="at", at=at))
    assert post.state == PostState.SCHEDULED
    assert engine.posts_publish_due()["held"] == 0
    assert fake_x.tweets_of() == []
    move_clock(monkeypatch, at + dt.timedelta(seconds=5))
    outcomes = engine.posts_publish_due()
    assert outcomes.get("published") == 1
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    assert len(fake_x.tweets_of()) == 1


def test_429_storm_backs_off_to_the_reset_time_then_publishes_once(
    ambassador, item, x_connection, fake_x, monkeypatch
):
    post = services.post_create(actor=ambassador, draft=draft(x_connection, item))
    reset = fake_x.storm(5, reset_in=900)
    assert engine.post_publish(post_id=post.pk) == "retry"
    post.refresh_from_db()
    assert post.state == PostState.SCHEDULED
    assert post.next_attempt_at == dt.datetime.fromtimestamp(reset, tz=dt.UTC)
    assert "try again" in post.error.lower()
    # Before the reset nothing is claimed (no hammering during a storm).
    assert engine.post_publish(post_id=post.pk) == "not-claimed"
    fake_x.storm(0)
    move_clock(monkeypatch, post.next_attempt_at + dt.timedelta(seconds=1))
    assert engine.post_publish(post_id=post.pk) == "published"
    assert len(fake_x.tweets_of()) == 1
    post.refresh_from_db()
    assert post.attempts == 2


def test_gives_up_after_the_maximum_attempts(
    ambassador, item, x_connection, fake_x, monkeypatch, settings
):
    settings.PUBLISH_MAX_ATTEMPTS = 3
    post = services.post_create(actor=ambassador, draft=draft(x_connection, item))
    fake_x.storm(100, reset_in=60)
    now = clock.now()
    for _attempt in range(3):
        move_clock(monkeypatch, now)
        engine.post_publish(post_id=post.pk)
        post.refresh_from_db()
        now = (post.next_attempt_at or now) + dt.timedelta(seconds=1)
    assert post.state == PostState.FAILED
    assert "3" in post.error
    assert fake_x.tweets_of() == []


def test_already_posted_by_hand_is_recognized_not_posted_twice(
    ambassador, item, x_connection, fake_x
):
    """The ambassador posted the same text through the share dialog: X refuses the
    duplicate, and the engine recognizes the post by its tracked link."""
    post = services.post_create(
        actor=ambassador,
        draft=draft(x_connection, item, when="at", at=clock.now() + dt.timedelta(hours=1)),
    )
    by_hand = fake_x.add_tweet(post.text)
    Post.objects.filter(pk=post.pk).update(scheduled_at=clock.now())
    assert engine.post_publish(post_id=post.pk) == "published"
    post.refresh_from_db()
    assert post.remote_id == by_hand.id
    assert len(fake_x.tweets_of()) == 1


def test_someone_elses_identical_text_is_not_a_duplicate(ambassador, item, x_connection, fake_x):
    """X's duplicate rule is per account: the same text on another account does not stop
    ours, and ours is not mistaken for theirs."""
    post = services.post_create(
        actor=ambassador,
        draft=draft(x_connection, item, when="at", at=clock.now() + dt.timedelta(hours=1)),
    )
    fake_x.add_tweet(post.text, user=fake_x.add_user("999", "someone", "Someone"))
    Post.objects.filter(pk=post.pk).update(scheduled_at=clock.now())
    assert engine.post_publish(post_id=post.pk) == "published"
    assert len(fake_x.tweets_of()) == 1


def test_revoked_token_stops_and_asks_to_reconnect(ambassador, item, x_connection, fake_x):
    post = services.post_create(actor=ambassador, draft=draft(x_connection, item))
    from portevoix.publishing.tokens import unseal

    fake_x.expire_access_token(unseal(x_connection.tokens_encrypted).access_token)
    assert engine.post_publish(post_id=post.pk) == "failed"
    post.refresh_from_db()
    x_connection.refresh_from_db()
    assert x_connection.status == ConnectionStatus.NEEDS_RECONNECT
    assert x_connection.status_reason
    assert "reconnect" in post.error.lower()
    # Never silently: the next post on it fails with the reason too.
    assert fake_x.tweets_of() == []


def test_expiring_token_is_refreshed_first_and_the_rotation_stored(
    ambassador, item, x_connection, fake_x
):
    from portevoix.publishing.tokens import seal, unseal

    tokens = unseal(x_connection.tokens_encrypted)
    tokens.expires_at = clock.now() - dt.timedelta(minutes=1)
    Connection.objects.filter(pk=x_connection.pk).update(tokens_encrypted=seal(tokens))
    post = services.post_create(actor=ambassador, draft=draft(x_connection, item))
    assert engine.post_publish(post_id=post.pk) == "published"
    x_connection.refresh_from_db()
    fresh = unseal(x_connection.tokens_encrypted)
    assert fresh.access_token != tokens.access_token
    assert fresh.refresh_token and fresh.refresh_token != tokens.refresh_token
    assert fresh.expires_at and fresh.expires_at > clock.now()
    assert x_connection.token_expires_at == fresh.expires_at


def test_tokens_are_not_readable_in_the_database(x_connection, fake_x):
    from portevoix.publishing.tokens import unseal

    tokens = unseal(x_connection.tokens_encrypted)
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT tokens_encrypted FROM publishing_connection WHERE id = %s", [x_connection.pk]
        )
        (stored,) = cursor.fetchone()
    assert tokens.access_token and tokens.access_token not in stored
    assert tokens.refresh_token and tokens.refresh_token not in stored
    assert "access_token" not in stored


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_publish_once(org, manager, approver, fake_x):
    from tests.factories import make_live_item

    ambassador = make_member(org, email="racer@acme.test", ambassador=True)
    item = make_live_item(manager, approver)
    connection = connect_x(ambassador, fake_x)
    post = due_later(ambassador, connection, item)
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        try:
            outcomes.append(engine.post_publish(post_id=post.pk))
        finally:
            db_connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes).count("published") == 1
    assert outcomes.count("not-claimed") == 3
    assert len(fake_x.tweets_of()) == 1
    assert Share.objects.filter(item=item, membership=ambassador).count() == 1


def _publish_in_child(post_id: int) -> None:
    db_connections.close_all()
    engine.post_publish(post_id=post_id)


@pytest.mark.django_db(transaction=True)
def test_worker_killed_after_the_network_accepted_the_post(
    org, manager, approver, fake_x, settings
):
    """The network has the post, the worker dies before recording it: after the lease, the
    next worker finds the post on the network and records it; it exists exactly once."""
    from tests.factories import make_live_item

    settings.PUBLISH_LEASE_SECONDS = 1
    ambassador = make_member(org, email="killed@acme.test", ambassador=True)
    item = make_live_item(manager, approver)
    connection = connect_x(ambassador, fake_x)
    post = due_later(ambassador, connection, item)
    fake_x.lose_next_response(delay=30)
    db_connections.close_all()
    child = multiprocessing.get_context("fork").Process(target=_publish_in_child, args=(post.pk,))
    child.start()
    deadline = time.monotonic() + 20
    while not fake_x.tweets_of() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(fake_x.tweets_of()) == 1, "the network never received the post"
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    assert child.exitcode == -signal.SIGKILL
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHING  # claimed, never recorded
    assert post.remote_id == ""
    # Right away, the lease protects it: nobody takes it over.
    assert engine.post_publish(post_id=post.pk) == "not-claimed"
    time.sleep(1.2)
    fake_x.lose_next_response(delay=0)
    assert engine.post_publish(post_id=post.pk) == "published"
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    assert post.remote_id == fake_x.tweets_of()[0].id
    assert len(fake_x.tweets_of()) == 1
    assert Share.objects.filter(item=item, membership=ambassador).count() == 1


def test_crisis_pause_holds_a_thousand_scheduled_posts(
    org, ambassador, item, x_connection, fake_x, admin, django_assert_max_num_queries
):
    from portevoix.accounts.roles import Role

    community = make_member(org, Role.COMMUNITY_MANAGER, email="cm@acme.test")
    template = services.post_create(
        actor=ambassador,
        draft=draft(x_connection, item, when="at", at=clock.now() + dt.timedelta(minutes=5)),
    )
    past = clock.now() - dt.timedelta(minutes=1)
    Post.objects.bulk_create(
        [
            Post(
                organization_id=org.pk,
                membership=ambassador,
                connection=x_connection,
                network="x",
                item=item,
                link=template.link,
                text=f"{template.text} #{n}",
                scheduled_at=past,
                state=PostState.SCHEDULED,
                created_at=past,
            )
            for n in range(1000)
        ]
    )
    Post.objects.filter(pk=template.pk).update(scheduled_at=past)
    pause = services.pause_start(actor=community, reason="Incident en cours")
    # Every way a post could go out: the periodic task, the engine pass, one post directly.
    with django_assert_max_num_queries(60):
        result = tasks.publish_due.call_local()
    assert result["held"] == 1001
    assert engine.posts_publish_due()["held"] == 0
    assert engine.post_publish(post_id=template.pk) == "not-claimed"
    assert fake_x.tweets_of() == []
    assert Post.objects.filter(state=PostState.HELD, held_by=pause).count() == 1001
    assert Post.objects.filter(state=PostState.PUBLISHED).count() == 0

    # Resume: held posts stay held until the manager decides.
    services.pause_end(actor=community, pause_id=pause.pk)
    assert engine.posts_publish_due().get("published", 0) == 0
    some = list(Post.objects.filter(held_by=pause).values_list("pk", flat=True)[:2])
    assert (
        services.held_decide(actor=community, pause_id=pause.pk, post_ids=some[:1], release=True)
        == 1
    )
    assert (
        services.held_decide(actor=community, pause_id=pause.pk, post_ids=None, release=False)
        == 1000
    )
    assert engine.posts_publish_due().get("published") == 1
    assert len(fake_x.tweets_of()) == 1
    actions = list(AuditEntry.objects.filter(organization=org).values_list("action", flat=True))
    for action in (
        "publishing.pause",
        "publishing.resume",
        "publishing.held_release",
        "publishing.held_cancel",
    ):
        assert action in actions


def test_campaign_pause_holds_only_that_campaign(
    org, ambassador, manager, approver, x_connection, fake_x
):
    from portevoix.accounts.roles import Role
    from portevoix.content.models import Campaign
    from tests.factories import make_live_item

    community = make_member(org, Role.COMMUNITY_MANAGER, email="cm2@acme.test")
    campaign = Campaign.objects.create(organization=org, name="Salon")
    paused_item = make_live_item(manager, approver, title="Salon")
    paused_item.campaign = campaign
    paused_item.save(update_fields=["campaign"])
    other_item = make_live_item(manager, approver, title="Autre")
    services.pause_start(actor=community, reason="Salon annulé", campaign_id=campaign.pk)
    held = due_later(ambassador, x_connection, paused_item)
    free = due_later(ambassador, x_connection, other_item)
    outcomes = engine.posts_publish_due()
    held.refresh_from_db()
    free.refresh_from_db()
    assert held.state == PostState.HELD
    assert free.state == PostState.PUBLISHED
    assert outcomes["held"] == 1
    # Published now while the campaign is paused: held at once.
    third = make_live_item(manager, approver, title="Salon bis")
    third.campaign = campaign
    third.save(update_fields=["campaign"])
    now_post = services.post_create(actor=ambassador, draft=draft(x_connection, third))
    assert now_post.state == PostState.HELD


def test_a_429_defers_the_accounts_other_due_posts(
    ambassador, manager, approver, x_connection, fake_x
):
    from tests.factories import make_live_item

    first = due_later(ambassador, x_connection, make_live_item(manager, approver, title="Un"))
    second = due_later(ambassador, x_connection, make_live_item(manager, approver, title="Deux"))
    reset = fake_x.storm(10, reset_in=600)
    before = fake_x.app.count("POST", "/2/tweets")
    outcomes = engine.posts_publish_due()
    # One request earned the 429; the other post waits for the reset without asking.
    assert outcomes == {"held": 0, "retry": 1, "not-claimed": 1}
    assert fake_x.app.count("POST", "/2/tweets") - before <= 1
    until = dt.datetime.fromtimestamp(reset, tz=dt.UTC)
    for post in (first, second):
        post.refresh_from_db()
        assert post.state == PostState.SCHEDULED
        assert post.next_attempt_at == until
