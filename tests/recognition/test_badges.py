"""Badges: each criterion earns once, right after the ledger entry that reaches it; the
organization's own badges; the month's top 10; who appears; the notification; the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portevoix.core import clock
from portevoix.notifications.models import Notification
from portevoix.recognition import selectors, services
from portevoix.recognition.models import Badge, BadgeAward, MonthClosed
from portevoix.training import services as training
from tests import factories
from tests.recognition.conftest import award
from tests.training.conftest import answers, make_course, make_event

pytestmark = pytest.mark.django_db


def held(membership) -> list[str]:
    return sorted(
        BadgeAward.objects.filter(membership=membership).values_list("badge__code", flat=True)
    )


def test_the_first_share_earns_a_badge_once(ambassador):
    award(ambassador, "share", "share:1")
    award(ambassador, "share", "share:1")  # a replay awards nothing
    award(ambassador, "share", "share:2")
    assert held(ambassador) == ["first_share"]
    assert BadgeAward.objects.filter(membership=ambassador).count() == 1


def test_ten_shares_earn_the_second_badge_at_the_tenth(ambassador):
    for n in range(9):
        award(ambassador, "share", f"share:{n}", network=("x", "linkedin", "bluesky")[n % 3])
    assert held(ambassador) == ["first_share"]
    award(ambassador, "share", "share:9", network="mastodon")
    assert held(ambassador) == ["first_share", "ten_shares"]


def test_a_reversed_share_does_not_count_towards_the_next_badge(ambassador, org):
    for n in range(10):
        award(
            ambassador,
            "share",
            f"share:{n}",
            network=("x", "linkedin", "bluesky", "mastodon")[n % 4],
        )
    assert "ten_shares" in held(ambassador)
    # Earned badges stay; a badge is never taken back.
    services.points_reverse(organization_id=org.pk, key="share:0")
    assert "ten_shares" in held(ambassador)


def test_the_first_original_post(ambassador):
    award(ambassador, "original_post", "original:1")
    assert held(ambassador) == ["first_original"]


def test_certified_comes_with_a_course_passed(admin, member):
    course = make_course(admin)
    training.quiz_submit(membership=member, course=course, answers=answers(course))
    training.quiz_submit(membership=member, course=course, answers=answers(course))
    assert held(member) == ["certified"]


def test_idea_champion_counts_accepted_ideas(ambassador):
    for n in range(2):
        award(ambassador, "idea_accepted", f"idea:{n}", network="")
    assert held(ambassador) == []
    award(ambassador, "idea_accepted", "idea:2", network="")
    assert held(ambassador) == ["idea_champion"]


def test_the_coach_of_a_session_that_took_place_is_a_speaker(admin, org):
    coach = factories.make_member(org)
    event = make_event(admin, capacity=3, coach=coach)
    people = [factories.make_member(org) for _n in range(2)]
    regs = [training.registration_create(membership=m, event=event) for m in people]
    event.starts_at = event.starts_at - dt.timedelta(days=5)
    event.ends_at = event.starts_at + dt.timedelta(hours=1)
    event.save(update_fields=["starts_at", "ends_at"])
    training.attendance_mark(actor=coach, event=event, attended_ids=[r.pk for r in regs])
    training.attendance_mark(actor=coach, event=event, attended_ids=[regs[0].pk])
    assert held(coach) == ["event_speaker"]
    assert "event_speaker" not in held(people[0])


def test_a_custom_badge_from_a_counter_and_a_threshold(admin, ambassador):
    badge = services.badge_create(
        actor=admin,
        name="Conversations",
        description="",
        counter="comment",
        threshold=4,
        shape="star",
        color="purple",
    )
    award(ambassador, "comment", "comment:1", count=3, network="")
    assert not BadgeAward.objects.filter(badge=badge).exists()
    award(ambassador, "comment", "comment:2", count=1, network="")
    assert BadgeAward.objects.filter(badge=badge, membership=ambassador).count() == 1
    award(ambassador, "comment", "comment:3", count=5, network="")
    assert BadgeAward.objects.filter(badge=badge).count() == 1
    assert badge.explanation == "Comment received: 4 times."


def test_a_custom_badge_on_points(admin, ambassador):
    badge = services.badge_create(
        actor=admin,
        name="Century",
        description="100 points",
        counter="points",
        threshold=20,
        shape="circle",
        color="gold",
    )
    award(ambassador, "conversion", "conv:1", network="")
    assert BadgeAward.objects.filter(badge=badge, membership=ambassador).exists()


def test_a_retired_badge_is_earned_by_nobody_and_only_managers_create(admin, ambassador):
    badge = services.badge_create(
        actor=admin,
        name="Likes",
        description="",
        counter="like",
        threshold=1,
        shape="circle",
        color="red",
    )
    services.badge_set_active(actor=admin, badge_id=badge.pk, active=False)
    award(ambassador, "like", "like:1", network="")
    assert not BadgeAward.objects.filter(badge=badge).exists()
    from portevoix.core.errors import DomainError, PermissionDenied

    with pytest.raises(PermissionDenied):
        services.badge_create(
            actor=ambassador,
            name="Mine",
            description="",
            counter="like",
            threshold=1,
            shape="circle",
            color="red",
        )
    with pytest.raises(DomainError) as caught:
        services.badge_create(
            actor=admin,
            name=" ",
            description="",
            counter="challenge_bonus",
            threshold=0,
            shape="blob",
            color="pink",
        )
    assert set(caught.value.field_errors) == {"name", "counter", "threshold", "shape", "color"}


def test_the_check_costs_a_few_queries_and_two_once_everything_is_held(ambassador):
    award(ambassador, "original_post", "original:1")
    with CaptureQueriesContext(connection) as queries:
        services.badges_check(
            organization_id=ambassador.organization_id,
            membership_id=ambassador.pk,
            counters={"original_post"},
            at=clock.now(),
        )
    assert len(queries) == 2  # the defaults exist; no badge of that counter left to earn
    with CaptureQueriesContext(connection) as queries:
        services.badges_check(
            organization_id=ambassador.organization_id,
            membership_id=ambassador.pk,
            counters={"share", "points"},
            at=clock.now(),
        )
    assert len(queries) == 3  # + the shares' count (no built-in badge counts points)


def test_top_ten_of_the_month_once_and_idempotent(org):
    month = dt.datetime(2026, 4, 10, 10, 0, tzinfo=dt.UTC)
    people = [factories.make_member(org, ambassador=True) for _n in range(12)]
    for n, membership in enumerate(people):
        # 11 and 12 tie with 10th? No: points 5*(n+1) comments; the two last tie at the top.
        award(membership, "comment", f"c:{n}", count=min(n + 1, 11), network="", at=month)
    done = services.month_close(organization_id=org.pk, month=dt.date(2026, 4, 1))
    winners = set(
        BadgeAward.objects.filter(badge__code="top_ten_month").values_list("membership", flat=True)
    )
    assert done == len(winners) == 10
    assert people[0].pk not in winners and people[1].pk not in winners
    assert services.month_close(organization_id=org.pk, month=dt.date(2026, 4, 15)) == 0
    assert MonthClosed.objects.filter(organization=org).count() == 1
    # The periodic task closes only the month that is over, and only once.
    assert services.months_close_due(now=dt.datetime(2026, 5, 2, 8, 0, tzinfo=dt.UTC)) == 0
    assert BadgeAward.objects.filter(badge__code="top_ten_month").count() == 10


def test_ties_at_the_tenth_place_all_get_it(org):
    month = dt.datetime(2026, 4, 10, 10, 0, tzinfo=dt.UTC)
    people = [factories.make_member(org, ambassador=True) for _n in range(12)]
    for n, membership in enumerate(people):
        award(membership, "comment", f"c:{n}", count=1, network="", at=month)
    assert services.months_close_due(now=dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)) == 12
    assert services.months_close_due(now=dt.datetime(2026, 5, 1, 14, 0, tzinfo=dt.UTC)) == 0


def test_badges_of_for_the_hr_export(ambassador):
    award(ambassador, "share", "share:1")
    earned = BadgeAward.objects.get(membership=ambassador).earned_at
    day = earned.date()
    rows = selectors.badges_of(ambassador, day - dt.timedelta(days=1), day + dt.timedelta(days=1))
    assert rows == [("First share", earned)]
    assert (
        selectors.badges_of(ambassador, day + dt.timedelta(days=2), day + dt.timedelta(days=9))
        == []
    )


def test_earning_a_badge_notifies_the_person_once_on_commit(
    ambassador, django_capture_on_commit_callbacks
):
    ambassador.user.language = "en"
    ambassador.user.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        award(ambassador, "share", "share:1")
        award(ambassador, "share", "share:2")
    assert len(callbacks) >= 1
    notes = Notification.objects.filter(membership=ambassador, kind="badge")
    assert [n.title for n in notes] == ["You earned a badge: First share"]
    assert notes[0].url.startswith(reverse("recognition:me"))


def test_the_notification_in_french(ambassador, django_capture_on_commit_callbacks):
    ambassador.user.language = "fr"
    ambassador.user.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        award(ambassador, "share", "share:1")
    note = Notification.objects.get(membership=ambassador, kind="badge")
    assert note.title == "Vous avez gagné un badge : Premier partage"


def _named(org, name, visibility, key):
    membership = factories.make_member(org, ambassador=True)
    membership.user.full_name = name
    membership.user.save(update_fields=["full_name"])
    services.preference_set(membership=membership, visibility=visibility)
    award(membership, "share", key)
    return membership


def test_the_gallery_never_lists_the_hidden(client, org, ambassador):
    _named(org, "Alice Visible", "name", "s1")
    hidden = _named(org, "Chloé Cachée", "hidden", "s2")
    client.force_login(ambassador.user)
    html = client.get(reverse("recognition:badges")).content.decode()
    assert "Alice Visible" in html and "Chloé Cachée" not in html
    assert "1 person holds it." in html
    # The hidden person still sees their own badges on their page.
    client.force_login(hidden.user)
    mine = client.get(reverse("recognition:me")).content.decode()
    assert "My badges" in mine and "First share" in mine


def test_the_gallery_is_four_queries_whatever_the_holders(ambassador, org):
    for n in range(5):
        _named(org, f"Person {n}", "name", f"s{n}")
    services.badges_ensure_defaults(organization_id=org.pk)
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.gallery(membership=ambassador)
    assert len(queries) <= 4
    first = next(r for r in rows if r.badge.code == "first_share")
    assert first.holders == 5 and len(first.names) == 5


def test_pages_owner_member_outsider_and_methods(client, admin, ambassador, outsider):
    url = reverse("recognition:badges")
    client.force_login(ambassador.user)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405
    assert client.get(reverse("recognition:badge_new")).status_code == 403
    client.force_login(admin.user)
    assert client.get(reverse("recognition:badge_new")).status_code == 200
    response = client.post(
        reverse("recognition:badge_new"),
        {
            "name": "Fidèle",
            "description": "",
            "counter": "share",
            "threshold": "5",
            "shape": "shield",
            "color": "green",
        },
    )
    assert response.status_code == 302
    badge = Badge.objects.get(name="Fidèle")
    assert client.post(reverse("recognition:badge_new"), {"name": ""}).status_code == 400
    active = reverse("recognition:badge_active", args=[badge.pk])
    assert client.get(active).status_code == 405
    assert client.post(active, {"active": "0"}).status_code == 302
    badge.refresh_from_db()
    assert not badge.active
    assert "Bring back" in client.get(url).content.decode()
    # Another organization's badge is a 404, whatever the method.
    client.force_login(outsider.user)
    assert client.post(active, {"active": "1"}).status_code == 404
    assert client.get(active).status_code == 404
    badge.refresh_from_db()
    assert not badge.active
