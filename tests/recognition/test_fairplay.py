"""Fair play: clicks that earn nothing (the sharer's own, bots, repeated visitors), points
that go back (a share removed, a post deleted on its network), and the patterns flagged for
the community manager, never punished by themselves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portevoix.accounts.roles import Role
from portevoix.core.errors import DomainError, NotFound, PermissionDenied
from portevoix.publishing import signals as publishing_signals
from portevoix.recognition import selectors, services
from portevoix.recognition.models import FairPlayFlag, FlagKind, FlagStatus, PointEntry
from portevoix.sharing import services as sharing
from portevoix.sharing.models import Click
from portevoix.sharing.textcheck import text_fingerprint
from portevoix.sharing.visitor import local_day, visitor_hash
from tests import factories
from tests.recognition.conftest import NOON, entries
from tests.sharing.conftest import click

pytestmark = pytest.mark.django_db


@pytest.fixture
def cm(org):
    return factories.make_member(org, Role.COMMUNITY_MANAGER, email="cm@acme.test")


def posted(membership, share_id, *, at=NOON, text=""):
    """What `share_posted` brings to fair play (the share itself need not exist)."""
    return services.fairplay_share_posted(
        organization_id=membership.organization_id,
        membership_id=membership.pk,
        share_id=share_id,
        text_hash=text_fingerprint(text) if text else "",
        at=at,
    )


def burst(membership, count, *, start=NOON, first_id=1):
    for n in range(count):
        posted(membership, first_id + n, at=start + dt.timedelta(minutes=2 * n))


# --- clicks that earn nothing ------------------------------------------------------------


def test_bot_and_repeated_visitor_clicks_earn_nothing_and_a_visitor_earns_once(ambassador, item):
    link = sharing.link_get_or_create(membership=ambassador, item=item, network="linkedin")
    a = visitor_hash("203.0.113.1", "UA", local_day(NOON))
    sharing.clicks_ingest(
        [
            click(link.code, at=NOON, visitor=a),
            click(link.code, at=NOON + dt.timedelta(minutes=5), visitor=a),  # repeated
            click(link.code, at=NOON, visitor="b" * 32, bot=True),  # a robot: not stored
        ]
    )
    assert entries(ambassador) == [("click", 1)]
    assert Click.objects.filter(counted=True).count() == 1


def test_the_sharers_own_click_earns_nothing_and_is_not_a_unique_click(ambassador, item):
    link = sharing.link_get_or_create(membership=ambassador, item=item, network="linkedin")
    me = visitor_hash("203.0.113.1", "UA", local_day(NOON))
    own = click(link.code, at=NOON, visitor=me)
    own = type(own)(**{**own.__dict__, "own": True})
    sharing.clicks_ingest([own])
    assert entries(ambassador) == []
    assert Click.objects.get().counted is False
    # Someone else's click still counts, once.
    sharing.clicks_ingest([click(link.code, at=NOON, visitor="c" * 32)])
    assert entries(ambassador) == [("click", 1)]


# --- points that go back -----------------------------------------------------------------


def test_a_removed_share_reverses_its_points(ambassador, item, admin):
    start = sharing.share_open(membership=ambassador, item_id=item.pk, network="x")
    sharing.share_confirm(membership=ambassador, share_id=start.share.pk)
    sharing.share_remove(share_id=start.share.pk, actor=admin)
    assert selectors.balance(membership=ambassador) == (0, 0)


def test_a_post_deleted_on_its_network_loses_its_engagement_points_once(ambassador, org):
    services.on_share_posted(
        organization_id=org.pk,
        membership_id=ambassador.pk,
        share_id=9,
        network="bluesky",
        personalized=False,
        at=NOON,
    )
    services.pending_awards_drain()  # what the task does once the share commits
    services.on_engagement_changed(
        organization_id=org.pk, membership_id=ambassador.pk, share_id=9, snapshot_id=1,
        network="bluesky", at=NOON, likes=2, reposts=1, comments=0,
    )  # fmt: skip
    for _ in range(2):
        publishing_signals.post_deleted.send(
            sender=None, organization_id=org.pk, membership_id=ambassador.pk, post_id=4,
            share_id=9,
        )  # fmt: skip
    assert entries(ambassador) == [("share", 2), ("like", 2), ("repost", 3), ("like", -2),
                                   ("repost", -3)]  # fmt: skip
    reason = PointEntry.objects.filter(lifetime__lt=0).values_list("reason", flat=True)
    assert set(reason) == {"The post was deleted on its network."}


# --- patterns flagged --------------------------------------------------------------------


def test_a_burst_is_flagged_once_and_changes_no_points(ambassador, org):
    services.on_share_posted(organization_id=org.pk, membership_id=ambassador.pk, share_id=1,
                             network="x", personalized=False, at=NOON)  # fmt: skip
    before = selectors.balance(membership=ambassador)
    burst(ambassador, 13)
    burst(ambassador, 13)  # a replay flags nothing more
    flag = FairPlayFlag.objects.get()
    assert flag.kind == FlagKind.BURST and flag.status == FlagStatus.OPEN
    assert flag.evidence["shares"] == list(range(1, 14))
    assert list(flag.members.all()) == [ambassador]
    assert selectors.balance(membership=ambassador) == before


def test_no_burst_under_the_threshold_nor_spread_out(ambassador, member):
    burst(ambassador, 10)  # 10 in 30 minutes: at the limit, not over
    for n in range(12):  # 12 shares, one an hour
        posted(member, 100 + n, at=NOON + dt.timedelta(hours=n))
    assert not FairPlayFlag.objects.exists()


def test_the_thresholds_are_the_organizations(ambassador, admin):
    services.fairplay_settings_set(
        actor=admin,
        thresholds=services.Thresholds(
            burst_shares=3, burst_minutes=10, same_text_people=2, same_text_hours=1
        ),
    )
    burst(ambassador, 4)
    assert FairPlayFlag.objects.filter(kind=FlagKind.BURST).count() == 1
    with pytest.raises(DomainError):
        services.fairplay_settings_set(actor=admin, thresholds=services.Thresholds(0, 10, 2, 1))
    with pytest.raises(PermissionDenied):
        services.fairplay_settings_set(
            actor=ambassador, thresholds=services.Thresholds(3, 10, 2, 1)
        )


def test_the_same_text_posted_by_three_people_is_flagged_once(org):
    people = [factories.make_member(org, ambassador=True) for _ in range(4)]
    text = "Fier de notre équipe ! https://go.example.org/l/{}"
    posted(people[0], 1, text=text.format("aaaa"))
    posted(people[1], 2, text="FIER de notre  équipe!! " + "https://go.example.org/l/bbbb")
    assert not FairPlayFlag.objects.exists()  # two people: under the threshold
    posted(people[2], 3, text=text.format("cccc"), at=NOON + dt.timedelta(hours=2))
    posted(people[3], 4, text=text.format("dddd"), at=NOON + dt.timedelta(hours=3))
    flag = FairPlayFlag.objects.get()
    assert flag.kind == FlagKind.SAME_TEXT
    assert set(flag.members.all()) == set(people)
    assert flag.evidence["shares"] == [1, 2, 3, 4]
    # Another text, or the same one a week later, is another matter.
    posted(people[0], 5, text="Autre chose", at=NOON + dt.timedelta(hours=4))
    posted(people[0], 6, text=text.format("eeee"), at=NOON + dt.timedelta(days=7))
    assert FairPlayFlag.objects.count() == 1


def test_a_shared_text_through_the_signal_is_hashed_never_copied(org, item):
    people = [factories.make_member(org, ambassador=True) for _ in range(3)]
    for person in people:
        start = sharing.share_open(
            membership=person, item_id=item.pk, network="x", text="Mon avis : à lire !"
        )
        sharing.share_confirm(membership=person, share_id=start.share.pk)
    flag = FairPlayFlag.objects.get()
    assert flag.kind == FlagKind.SAME_TEXT
    assert "avis" not in str(flag.evidence)


def test_confirm_reverses_the_flagged_points_with_the_reason(ambassador, cm, org):
    for n in range(1, 12):
        services.on_share_posted(organization_id=org.pk, membership_id=ambassador.pk,
                                 share_id=n, network="x", personalized=False,
                                 at=NOON + dt.timedelta(minutes=n))  # fmt: skip
        services.pending_awards_drain()
        posted(ambassador, n, at=NOON + dt.timedelta(minutes=n))
    flag = FairPlayFlag.objects.get()
    assert selectors.balance(membership=ambassador) == (6, 6)  # the network's daily cap
    with pytest.raises(DomainError):
        services.flag_confirm(actor=cm, flag_id=flag.pk, reason=" ", reverse_points=True)
    done = services.flag_confirm(
        actor=cm, flag_id=flag.pk, reason="Partages en rafale", reverse_points=True
    )
    assert done.status == FlagStatus.CONFIRMED and done.reviewed_by == cm
    assert done.points_reversed == 6
    assert selectors.balance(membership=ambassador) == (0, 0)
    reasons = set(
        PointEntry.objects.filter(reverses__isnull=False).values_list("reason", flat=True)
    )
    assert reasons == {"Fair play: Partages en rafale"}
    with pytest.raises(DomainError):  # reviewed once
        services.flag_dismiss(actor=cm, flag_id=flag.pk)


def test_dismiss_keeps_the_points(ambassador, cm, org):
    services.on_share_posted(organization_id=org.pk, membership_id=ambassador.pk, share_id=1,
                             network="x", personalized=False, at=NOON)  # fmt: skip
    services.pending_awards_drain()
    burst(ambassador, 11)
    flag = FairPlayFlag.objects.get()
    services.flag_dismiss(actor=cm, flag_id=flag.pk, reason="Un lancement")
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DISMISSED and flag.reason == "Un lancement"
    assert selectors.balance(membership=ambassador) == (2, 2)
    assert selectors.fairplay_open_count(organization_id=org.pk) == 0


def test_only_reviewers_of_the_organization_touch_a_flag(ambassador, outsider):
    burst(ambassador, 11)
    flag = FairPlayFlag.objects.get()
    with pytest.raises(PermissionDenied):
        services.flag_dismiss(actor=ambassador, flag_id=flag.pk)
    with pytest.raises(NotFound):
        services.flag_dismiss(actor=outsider, flag_id=flag.pk)


# --- the page ----------------------------------------------------------------------------


def test_the_community_manager_reviews_flags_on_the_page(client, ambassador, cm):
    burst(ambassador, 11)
    flag = FairPlayFlag.objects.get()
    client.force_login(cm.user)
    page = client.get(reverse("recognition:fairplay"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Burst of shares" in html and ambassador.user.display_name in html
    url = reverse("recognition:flag_review", args=[flag.pk])
    refused = client.post(url, {f"f{flag.pk}-decision": "confirm", f"f{flag.pk}-reason": ""})
    assert refused.status_code == 400
    response = client.post(url, {f"f{flag.pk}-decision": "dismiss"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DISMISSED and flag.reviewed_by == cm
    assert client.get(url).status_code == 405
    assert client.get(reverse("recognition:fairplay"), {"status": "dismissed"}).status_code == 200


def test_the_home_and_the_navigation_count_the_open_flags(client, ambassador, cm):
    burst(ambassador, 11)
    client.force_login(cm.user)
    html = client.get("/").content.decode()
    assert reverse("recognition:fairplay") in html
    assert selectors.fairplay_badge(cm).count == 1
    assert selectors.fairplay_badge(ambassador).count == 0


def test_an_ambassador_cannot_see_the_flags_and_an_outsider_gets_404(client, ambassador, outsider):
    burst(ambassador, 11)
    flag = FairPlayFlag.objects.get()
    client.force_login(ambassador.user)
    assert client.get(reverse("recognition:fairplay")).status_code == 403
    url = reverse("recognition:flag_review", args=[flag.pk])
    assert client.post(url, {f"f{flag.pk}-decision": "dismiss"}).status_code == 403
    client.force_login(outsider.user)
    assert client.post(url, {f"f{flag.pk}-decision": "dismiss"}).status_code == 404
    assert FairPlayFlag.objects.get().status == FlagStatus.OPEN


def test_an_administrator_sets_the_thresholds_on_the_page(client, admin, cm, org):
    client.force_login(admin.user)
    url = reverse("recognition:fairplay_settings")
    data = {"burst_shares": 5, "burst_minutes": 15, "same_text_people": 4, "same_text_hours": 6}
    assert client.post(url, data).status_code == 302
    assert services.fairplay_settings(org.pk).burst_shares == 5
    assert client.post(url, {**data, "burst_shares": 0}).status_code == 400
    assert client.get(url).status_code == 405
    client.force_login(cm.user)
    assert client.post(url, data).status_code == 403


def test_the_member_sees_why_points_were_reversed(client, ambassador, cm, org):
    services.on_share_posted(organization_id=org.pk, membership_id=ambassador.pk, share_id=1,
                             network="x", personalized=False, at=NOON)  # fmt: skip
    services.pending_awards_drain()
    burst(ambassador, 11)
    flag = FairPlayFlag.objects.get()
    services.flag_confirm(actor=cm, flag_id=flag.pk, reason="Rafale", reverse_points=True)
    client.force_login(ambassador.user)
    html = client.get(reverse("recognition:me")).content.decode()
    assert "Fair play: Rafale" in html


def test_the_flags_page_costs_the_same_queries_for_one_flag_or_many(
    client, org, cm, django_assert_max_num_queries
):
    client.force_login(cm.user)
    url = reverse("recognition:fairplay")
    first = factories.make_member(org, ambassador=True)
    burst(first, 11)
    client.get(url)  # warm the caches of the session and the navigation
    with django_assert_max_num_queries(60) as one:
        assert client.get(url).status_code == 200
    baseline = len(one.captured_queries)  # before the next request clears the log
    for n in range(3):
        burst(factories.make_member(org, ambassador=True), 11, first_id=100 * (n + 1))
    assert FairPlayFlag.objects.count() == 4
    client.get(url)  # the writes moved the page frame's versions (accounts/frame.py)
    with django_assert_max_num_queries(baseline):
        assert client.get(url).status_code == 200
