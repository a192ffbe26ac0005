"""The page frame's cache (accounts/frame.py, core's shell_fragment; docs/decisions/0010):
a warm page reads none of what the frame shows, and every write that changes it shows on the
very next request (roles, opting out, a pause, the bell, the charter gate, the approvals
count, the card actions' accounts), while per-viewer parts (name, CSRF token, path) are
never shared."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portevoix.accounts import frame
from portevoix.accounts import services as account_services
from portevoix.accounts.models import FrameVersion, Membership
from portevoix.accounts.roles import Role
from portevoix.content import services as content_services
from portevoix.governance import services as governance_services
from portevoix.notifications import services as notification_services
from portevoix.notifications.models import Notification
from portevoix.publishing.services.managers import pause_end, pause_start
from tests import factories

pytestmark = pytest.mark.django_db(transaction=False)


def _get(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _tables(captured: CaptureQueriesContext) -> str:
    return " ".join(q["sql"] for q in captured.captured_queries)


def test_a_warm_page_reads_none_of_the_frame(client, ambassador):
    client.force_login(ambassador.user)
    url = reverse("content:feed")
    _get(client, url)
    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    sql = _tables(captured)
    for table in (
        "accounts_membershiprole",  # roles
        "notifications_notification",  # the bell
        "publishing_crisispause",  # the pause banner
        "governance_charterversion",  # the gates banner
        "training_course",
        "publishing_connection",  # the card actions
    ):
        assert f'FROM "{table}"' not in sql, table
    # Session; user with their membership (its organization, profile, versions, the
    # profile's interests and the feed's version: one statement, accounts/current.py).
    assert len(captured.captured_queries) == 2
    assert '"accounts_user"' in captured.captured_queries[1]["sql"]
    assert '"accounts_membership"' in captured.captured_queries[1]["sql"]


def test_a_role_given_or_taken_shows_on_the_next_request(client, admin, member):
    client.force_login(member.user)
    library = f'href="{reverse("content:library")}"'
    assert library not in _get(client, reverse("notifications:list"))
    account_services.membership_update(actor=admin, membership=member, roles=[Role.CONTENT_MANAGER])
    assert library in _get(client, reverse("notifications:list"))
    assert client.get(reverse("content:library")).status_code == 200
    account_services.membership_update(actor=admin, membership=member, roles=[])
    assert library not in _get(client, reverse("notifications:list"))
    assert client.get(reverse("content:library")).status_code == 403


def test_a_deactivated_member_loses_the_organization_at_once(client, admin, member):
    client.force_login(member.user)
    _get(client, reverse("notifications:list"))
    account_services.membership_update(actor=admin, membership=member, is_active=False)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302  # no current organization: the chooser


def test_opting_out_removes_the_feed_at_once(client, ambassador):
    client.force_login(ambassador.user)
    feed = f'href="{reverse("content:feed")}"'
    assert feed in _get(client, reverse("notifications:list"))
    account_services.ambassador_opt_out(membership=ambassador)
    page = _get(client, reverse("notifications:list"))
    assert feed not in page


def test_a_pause_shows_and_ends_on_the_next_request(client, admin, ambassador):
    client.force_login(ambassador.user)
    url = reverse("notifications:list")
    assert "data-pause=" not in _get(client, url)
    pause = pause_start(actor=admin, reason="Crisis in progress")
    page = _get(client, url)
    assert f'data-pause="{pause.pk}"' in page and "Crisis in progress" in page
    pause_end(actor=admin, pause_id=pause.pk)
    assert "data-pause=" not in _get(client, url)


def _notice(membership: Membership, key: str) -> Notification:
    return Notification.objects.create(
        organization_id=membership.organization_id,
        membership=membership,
        kind="content",
        title="New content",
        dedupe_key=key,
        created_at=timezone.now(),
    )


def _bell(page: str) -> str | None:
    found = re.search(r'<span class="topbar-count" aria-hidden="true">([^<]+)</span>', page)
    return found.group(1) if found else None


def test_the_bell_counts_new_and_read_notifications_at_once(client, ambassador):
    client.force_login(ambassador.user)
    url = reverse("accounts:me")
    assert _bell(_get(client, url)) is None
    first = _notice(ambassador, "a")
    _notice(ambassador, "b")
    assert _bell(_get(client, url)) == "2"
    notification_services.notification_mark_read(membership=ambassador, pk=first.pk)
    assert _bell(_get(client, url)) == "1"
    notification_services.notifications_mark_all_read(membership=ambassador)  # an update()
    assert _bell(_get(client, url)) is None


def test_notifying_a_crowd_moves_every_bell(client, org, ambassador):
    others = [factories.make_member(org, email=f"crowd{n}@acme.test") for n in range(3)]
    client.force_login(ambassador.user)
    url = reverse("accounts:me")
    assert _bell(_get(client, url)) is None
    ids = [ambassador.pk] + [m.pk for m in others]
    from portevoix.notifications.messages import Message

    def build(_tz: Any) -> Message:
        return Message(title="Hello", body="", url="/")

    # Past the per-member limit the organization's version moves instead.
    original = notification_services.FRAME_BUMPS_PER_NOTICE
    notification_services.FRAME_BUMPS_PER_NOTICE = 1
    try:
        notification_services.notify(
            organization_id=org.pk, membership_ids=ids, kind="content", dedupe_key="k", build=build
        )
    finally:
        notification_services.FRAME_BUMPS_PER_NOTICE = original
    assert _bell(_get(client, url)) == "1"


def test_the_charter_gate_appears_on_publish_and_goes_on_acceptance(client, admin, ambassador):
    client.force_login(ambassador.user)
    url = reverse("content:feed")
    assert 'data-gate="charter"' not in _get(client, url)
    draft = governance_services.charter_draft_create(
        actor=admin, body_fr="Soyez courtois.", body_en="Be kind."
    )
    governance_services.charter_publish(actor=admin, version=draft, summary_of_changes="First")
    assert 'data-gate="charter"' in _get(client, url)
    governance_services.charter_acknowledge(membership=ambassador)
    assert 'data-gate="charter"' not in _get(client, url)


def test_the_approvals_count_follows_the_queue(client, manager, approver):
    client.force_login(approver.user)
    url = reverse("notifications:list")

    def count(page: str) -> str | None:
        link = page.split(f'href="{reverse("content:approvals")}"', 1)[1].split("</a>", 1)[0]
        found = re.search(r'class="nav-count" aria-hidden="true">(\d+)<', link)
        return found.group(1) if found else None

    assert count(_get(client, url)) is None
    item = factories.make_item(manager)
    assert count(_get(client, url)) is None  # a draft waits for nobody
    content_services.item_submit(membership=manager, item=item)
    assert count(_get(client, url)) == "1"
    content_services.item_approve(membership=approver, item=item)
    assert count(_get(client, url)) is None


def test_a_connected_account_shows_the_card_actions_at_once(client, manager, approver, ambassador):
    factories.make_live_item(manager, approver)
    client.force_login(ambassador.user)
    url = reverse("content:feed")
    assert "card-publish" not in _get(client, url)
    from portevoix.publishing.models import Connection

    now = timezone.now()
    connection_row = Connection.objects.create(
        organization_id=ambassador.organization_id,
        membership=ambassador,
        network="mastodon",
        account_id="1",
        handle="@amb",
        tokens_encrypted="x",
        created_at=now,
        updated_at=now,
    )
    with_account = _get(client, url)
    connection_row.delete()
    without = _get(client, url)
    assert with_account != without


def test_versions_are_per_member_and_per_organization(org, other_org, member, outsider):
    def key_of(membership: Membership) -> str:
        found = frame.with_versions(Membership.objects.filter(pk=membership.pk)).get()
        return str(frame._key(found))

    before, other_before = key_of(member), key_of(outsider)
    frame.bump_member(membership_id=member.pk, organization_id=org.pk)
    assert key_of(member) != before and key_of(outsider) == other_before
    before = key_of(member)
    frame.bump_organization(org.pk)
    assert key_of(member) != before and key_of(outsider) == other_before
    assert FrameVersion.objects.filter(organization=org, membership=None).count() == 1


def test_a_membership_read_without_its_versions_is_never_cached(member):
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert [frame.cached(member, "piece", compute) for _ in range(2)] == [1, 2]


def test_the_shell_is_shared_but_never_the_viewers_parts(client, org):
    one = factories.make_member(org, email="one@acme.test", ambassador=True)
    two = factories.make_member(org, email="two@acme.test", ambassador=True)
    one.user.full_name = "<b>One</b> & co"
    one.user.save()
    client.force_login(one.user)
    page_one = _get(client, reverse("accounts:me") + "?x=1&y=2")
    token_one = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page_one)
    from django.test import Client

    other = Client()
    other.force_login(two.user)
    page_two = _get(other, reverse("accounts:me"))
    token_two = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page_two)
    assert "&lt;b&gt;One&lt;/b&gt; &amp; co" in page_one and "<b>One</b>" not in page_one
    assert "One" not in page_two
    assert "placeholder" not in page_one and "placeholder" not in page_two
    assert token_one and token_two and set(token_one).isdisjoint(token_two)
    assert 'name="next" type="hidden" value="/me/?x=1&amp;y=2"' in page_one
    # The page's token works: logging out with it is accepted.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(two.user)
    page = _get(strict, reverse("accounts:me"))
    token = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[-1]
    response = strict.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
