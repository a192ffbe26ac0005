from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from portevoix.accounts.models import (
    AmbassadorProfile,
    Membership,
    MembershipRole,
    NetworkPresence,
    Organization,
    Team,
    User,
)
from portevoix.accounts.roles import ASSIGNABLE_ROLE_CODES
from portevoix.content import review, selectors
from portevoix.content.models import (
    Campaign,
    ContentItem,
    ContentType,
    NetworkCopy,
    State,
    Topic,
    Transition,
)
from portevoix.core import clock
from portevoix.core.networks import check_copy
from portevoix.core.tenancy import scoped
from portevoix.demo import data

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(demo_module: tuple[Organization, str]) -> tuple[Organization, str]:
    """The demo, loaded once for this module (tests/conftest.py `demo_module`)."""
    return demo_module


def test_about_forty_people_in_four_teams(demo):
    org, _output = demo
    members = Membership.objects.filter(organization=org, is_active=True)
    assert 35 <= members.count() <= 45
    teams = Team.objects.filter(organization=org)
    assert teams.count() == 4
    for team in teams:
        assert team.memberships.count() >= 5, team.name
    assert not members.filter(teams__isnull=True).exists()
    assert org.approvals_required == 1
    assert not org.final_approval_required


def test_every_role_and_about_twenty_ambassadors(demo):
    org, _output = demo
    roles = set(
        MembershipRole.objects.filter(membership__organization=org).values_list("role", flat=True)
    )
    assert roles >= ASSIGNABLE_ROLE_CODES
    ambassadors = AmbassadorProfile.objects.filter(membership__organization=org, opted_in=True)
    assert 18 <= ambassadors.count() <= 25
    for profile in ambassadors:
        assert profile.languages and set(profile.languages) <= {"fr", "en"}
        assert profile.interests.exists()
        assert profile.networks.exists()
        assert all(p.audience > 0 for p in profile.networks.all())
    mastodon = NetworkPresence.objects.filter(
        profile__membership__organization=org, network="mastodon"
    )
    assert mastodon.exists()
    assert all("." in p.instance for p in mastodon)
    # Someone withdrew: enrolment is voluntary and reversible.
    assert AmbassadorProfile.objects.filter(
        membership__organization=org, opted_in=False, opted_out_at__isnull=False
    ).exists()


def test_printed_logins_have_the_role_they_claim(demo):
    org, output = demo
    assert data.DEFAULT_PASSWORD in output
    for role, email in data.LOGINS:
        assert email in output
        membership = Membership.objects.get(organization=org, user__email=email)
        assigned = set(membership.role_rows.values_list("role", flat=True))
        if role in ASSIGNABLE_ROLE_CODES:
            assert role in assigned
        elif role.startswith("ambassador"):
            assert membership.ambassador.opted_in
        else:  # the plain employee: no role, not an ambassador
            assert not assigned
            assert not AmbassadorProfile.objects.filter(membership=membership).exists()
        assert User.objects.get(email=email).check_password(data.DEFAULT_PASSWORD)


def test_every_state_type_and_language(demo):
    org, _output = demo
    items = ContentItem.objects.filter(organization=org)
    assert 25 <= items.count() <= 35
    assert set(items.values_list("state", flat=True)) == set(State.values)
    assert set(items.values_list("content_type", flat=True)) == set(ContentType.values)
    assert set(items.values_list("language", flat=True)) == {"fr", "en"}
    now = clock.now()
    for item in items.filter(state=State.APPROVED):
        assert item.publish_at is not None and item.publish_at > now  # scheduled ahead
        assert selectors.effective_state(item, now) == State.APPROVED
    for item in items.filter(state=State.LIVE):
        assert selectors.effective_state(item, now) == State.LIVE
    for item in items.filter(state=State.EXPIRED):
        assert item.expire_at is not None and item.expire_at <= now
    assert (
        items.filter(state=State.CHANGES_REQUESTED).count()
        == Transition.objects.filter(item__organization=org, action="request_changes")
        .exclude(comment="")
        .count()
    )
    assert items.filter(important=True).exists()
    assert items.filter(featured=True).exists()
    assert 2 <= Campaign.objects.filter(organization=org).count() <= 3
    assert Topic.objects.filter(organization=org).count() >= 5
    assert items.filter(campaign__isnull=False).count() >= 5


def test_every_copy_fits_its_network(demo):
    org, _output = demo
    copies = NetworkCopy.objects.filter(item__organization=org)
    assert copies.count() >= 60
    assert {"linkedin", "x", "facebook", "mastodon", "bluesky", "threads"} <= set(
        copies.values_list("network", flat=True)
    )
    for copy in copies:
        check = check_copy(copy.network, copy.text)
        assert check.ok, (copy.item.title, copy.network, check)
    # Every item that went through review has copy to share.
    assert not ContentItem.objects.filter(organization=org, copies__isnull=True).exists()


def test_every_ambassador_has_a_feed(demo):
    org, _output = demo
    for membership in Membership.objects.filter(organization=org, ambassador__opted_in=True):
        feed = list(selectors.feed_items(membership=membership))
        assert feed, membership.user.email
        assert all(item.language in membership.ambassador.languages for item in feed)


def test_running_twice_keeps_everything_and_prints_the_logins_again(demo):
    _org, _first = demo
    counts = (
        User.objects.count(),
        Membership.objects.count(),
        ContentItem.objects.count(),
        NetworkCopy.objects.count(),
        Transition.objects.count(),
        Topic.objects.count(),
    )
    second = load()
    assert "nothing changed" in second
    for _role, email in data.LOGINS:
        assert email in second
    assert Organization.objects.filter(slug=data.ORG_SLUG).count() == 1
    assert counts == (
        User.objects.count(),
        Membership.objects.count(),
        ContentItem.objects.count(),
        NetworkCopy.objects.count(),
        Transition.objects.count(),
        Topic.objects.count(),
    )


def test_a_demo_account_can_log_in(demo, client):
    assert client.login(email=data.AMBASSADOR, password=data.DEFAULT_PASSWORD)


def test_the_demo_approver_has_a_queue_worth_showing(demo):
    org, _output = demo
    approver = scoped(Membership, org).get(user__email="approbation@demo.portevoix.org")
    queue = review.approvals_queue(membership=approver)
    assert queue.total >= 2
    assert any(entry.due == "overdue" for entry in queue.entries)
    edited = [entry for entry in queue.entries if not entry.diff.first]
    assert edited
    assert {"title", "body", "publish_at"} <= {c.key for c in edited[0].diff.changes}
