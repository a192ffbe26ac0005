"""Points come from the events of the other apps, through their signals, in the event's own
transaction: shares (written there, given once it commits: decision 0034), moderation,
counted clicks, conversions, engagement, courses, events."""

from __future__ import annotations

import datetime as dt

import pytest

from portevoix.core import clock
from portevoix.publishing import signals as publishing_signals
from portevoix.recognition import selectors, services
from portevoix.recognition.models import PendingAward, PointEntry
from portevoix.sharing import services as sharing
from portevoix.sharing.models import Click
from portevoix.sharing.visitor import local_day, visitor_hash
from portevoix.training import services as training
from tests import factories
from tests.recognition.conftest import entries
from tests.sharing.conftest import click
from tests.training.conftest import answers, make_course, make_event

pytestmark = pytest.mark.django_db


def test_an_opened_share_earns_nothing_until_it_is_confirmed(
    ambassador, item, django_capture_on_commit_callbacks
):
    start = sharing.share_open(membership=ambassador, item_id=item.pk, network="x")
    assert entries(ambassador) == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sharing.share_confirm(membership=ambassador, share_id=start.share.pk)
        # In the share's transaction: one row waiting, nothing in the ledger yet.
        assert entries(ambassador) == []
        assert list(PendingAward.objects.values_list("key", flat=True)) == [
            f"share:{start.share.pk}"
        ]
    assert callbacks  # once it commits, the batch gives it
    assert entries(ambassador) == [("share", 2)]
    assert not PendingAward.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        sharing.share_confirm(membership=ambassador, share_id=start.share.pk)  # idempotent
    assert entries(ambassador) == [("share", 2)]


def test_an_original_post_earns_more(ambassador, item, django_capture_on_commit_callbacks):
    start = sharing.share_open(
        membership=ambassador, item_id=item.pk, network="x", text="Mon avis sur ce poste"
    )
    with django_capture_on_commit_callbacks(execute=True):
        sharing.share_confirm(membership=ambassador, share_id=start.share.pk)
    assert entries(ambassador) == [("share", 2), ("original_post", 3)]


def test_a_share_awarded_twice_by_its_signal_is_given_once(ambassador, org):
    for _replay in range(2):
        services.on_share_posted(
            organization_id=org.pk, membership_id=ambassador.pk, share_id=77, network="x",
            personalized=True, at=clock.now(),
        )  # fmt: skip
    assert PendingAward.objects.count() == 2  # the share and the original post, once each
    assert services.pending_awards_drain() == 2
    assert services.pending_awards_drain() == 0  # a second run (a lost task's) gives nothing
    services.on_share_posted(
        organization_id=org.pk, membership_id=ambassador.pk, share_id=77, network="x",
        personalized=True, at=clock.now(),
    )  # fmt: skip
    assert services.pending_awards_drain() == 0  # already in the ledger: not twice
    assert entries(ambassador) == [("share", 2), ("original_post", 3)]
    assert not PendingAward.objects.exists()


def test_a_share_taken_down_before_its_award_is_given_earns_nothing(ambassador, item, admin):
    start = sharing.share_open(membership=ambassador, item_id=item.pk, network="x")
    sharing.share_confirm(membership=ambassador, share_id=start.share.pk)
    assert PendingAward.objects.count() == 1  # its task has not run (not committed yet)
    sharing.share_remove(share_id=start.share.pk, actor=admin)
    assert not PendingAward.objects.exists()
    assert services.pending_awards_drain() == 0
    assert entries(ambassador) == []


def test_a_share_taken_down_by_moderation_loses_its_points(
    ambassador, item, admin, django_capture_on_commit_callbacks
):
    start = sharing.share_open(
        membership=ambassador, item_id=item.pk, network="x", text="Mon avis sur ce poste"
    )
    with django_capture_on_commit_callbacks(execute=True):
        sharing.share_confirm(membership=ambassador, share_id=start.share.pk)
    sharing.share_remove(share_id=start.share.pk, actor=admin)
    sharing.share_remove(share_id=start.share.pk, actor=admin)
    assert entries(ambassador) == [
        ("share", 2),
        ("original_post", 3),
        ("share", -2),
        ("original_post", -3),
    ]
    assert selectors.balance(membership=ambassador) == (0, 0)


def test_a_removed_share_cannot_be_confirmed_for_points(ambassador, item, admin):
    start = sharing.share_open(membership=ambassador, item_id=item.pk, network="x")
    sharing.share_remove(share_id=start.share.pk, actor=admin)
    sharing.share_confirm(membership=ambassador, share_id=start.share.pk)
    assert entries(ambassador) == []


NOON = dt.datetime(2026, 5, 12, 10, 0, tzinfo=dt.UTC)


def test_only_counted_clicks_earn_points_once(ambassador, item):
    link = sharing.link_get_or_create(membership=ambassador, item=item, network="linkedin")
    a = visitor_hash("203.0.113.1", "UA", local_day(NOON))
    b = visitor_hash("203.0.113.2", "UA", local_day(NOON))
    records = [
        click(link.code, at=NOON, visitor=a),
        click(link.code, at=NOON + dt.timedelta(minutes=1), visitor=a),  # repeated visitor
        click(link.code, at=NOON + dt.timedelta(minutes=2), visitor=b),
        click(link.code, at=NOON + dt.timedelta(minutes=3), visitor=b, bot=True),  # a robot
        click(link.code, at=NOON + dt.timedelta(minutes=4), visitor=b, head=True),
    ]
    sharing.clicks_ingest(records)
    sharing.clicks_ingest(records)  # a replayed batch
    assert Click.objects.count() == 3
    assert entries(ambassador) == [("click", 1), ("click", 1)]
    keys = set(PointEntry.objects.values_list("key", flat=True))
    assert keys == {f"click:{r.click_id}" for r in (records[0], records[2])}


def test_an_attributed_conversion_earns_points(ambassador, item, org):
    link = sharing.link_get_or_create(membership=ambassador, item=item, network="linkedin")
    now = clock.now()
    record = click(link.code, at=now, visitor="b" * 32)
    sharing.clicks_ingest([record])
    for _ in range(2):
        sharing.conversion_record(
            organization=org,
            external_id="order-1",
            kind="purchase",
            click_id=record.click_id,
            at=now,
            source="api",
        )
    assert entries(ambassador) == [("click", 1), ("conversion", 20)]


def test_engagement_is_weighted_comments_most(ambassador, org):
    for snapshot_id in (1, 1, 2):
        publishing_signals.engagement_changed.send(
            sender=None,
            organization_id=org.pk,
            membership_id=ambassador.pk,
            share_id=9,
            snapshot_id=snapshot_id,
            network="bluesky",
            at=NOON,
            likes=2,
            reposts=1 if snapshot_id == 1 else 0,
            comments=1,
        )
    assert entries(ambassador) == [
        ("like", 2),
        ("repost", 3),
        ("comment", 5),
        ("like", 2),
        ("comment", 5),
    ]


def test_a_course_passed_earns_points_once(admin, member):
    course = make_course(admin)
    training.quiz_submit(membership=member, course=course, answers=answers(course))
    training.quiz_submit(membership=member, course=course, answers=answers(course))
    assert entries(member) == [("course_passed", 15)]


def test_an_event_attended_earns_points_and_an_absence_takes_them_back(admin, org):
    coach = factories.make_member(org)
    event = make_event(admin, capacity=3, coach=coach)
    a, b = factories.make_member(org), factories.make_member(org)
    regs = [training.registration_create(membership=m, event=event) for m in (a, b)]
    event.starts_at = event.starts_at - dt.timedelta(days=5)
    event.ends_at = event.starts_at + dt.timedelta(hours=1)
    event.save(update_fields=["starts_at", "ends_at"])
    training.attendance_mark(actor=coach, event=event, attended_ids=[r.pk for r in regs])
    training.attendance_mark(actor=coach, event=event, attended_ids=[regs[0].pk])
    assert entries(a) == [("event_attended", 10)]
    assert entries(b) == [("event_attended", 10), ("event_attended", -10)]
