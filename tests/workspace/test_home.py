"""The home (`/`), role by role: each section shows what that member has to act on, from
the organization's real data and never another organization's; a constant number of queries
per role; an ambassador with no other role lands on their feed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portevoix.accounts import services as account_services
from portevoix.accounts.models import Membership
from portevoix.accounts.roles import Role
from portevoix.analytics import services as analytics_services
from portevoix.content import services as content_services
from portevoix.content.models import ContentItem
from portevoix.core import clock
from portevoix.governance.models import CharterStatus, CharterVersion, ModerationCase
from portevoix.notifications.models import Notification
from portevoix.publishing import services as publishing_services
from portevoix.publishing.models import Connection, ConnectionStatus, NetworkApp
from portevoix.workspace import selectors
from tests import factories
from tests.analytics import events

HOME = "/"


def text_of(client, language: str = "en") -> str:
    response = client.get(HOME, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def logged(client, membership):
    client.force_login(membership.user)
    return client


def submitted(author, title: str) -> ContentItem:
    item = factories.make_item(author, title=title)
    return content_services.item_submit(membership=author, item=item)


def case(org, source: str, text: str, **extra) -> ModerationCase:
    return ModerationCase.objects.create(
        organization=org,
        source=source,
        text=text,
        object_type="content.item",
        object_id="1",
        created_at=clock.now(),
        **extra,
    )


# --- Content manager


def test_content_manager_sees_their_work_and_not_others_drafts(client, org, manager, approver):
    colleague = factories.make_member(org, Role.CONTENT_MANAGER)
    factories.make_item(manager, title="My own draft")
    factories.make_item(colleague, title="A colleague's draft")
    sent_back = submitted(manager, "Sent back to me")
    content_services.item_request_changes(membership=approver, item=sent_back, comment="Shorter")
    soon, later = clock.now() + dt.timedelta(days=3), clock.now() + dt.timedelta(days=30)
    ending = factories.make_live_item(colleague, approver, title="Ending on Friday", expire_at=soon)
    factories.make_live_item(colleague, approver, title="Ending next month", expire_at=later)
    case(org, "suggestion", "Talk about our new plant in Lyon")
    case(org, "report", "A report the content manager does not handle")

    text = text_of(logged(client, manager))
    assert "My own draft" in text
    assert "A colleague&#x27;s draft" not in text and "A colleague's draft" not in text
    assert "Sent back to me" in text
    assert "Ending on Friday" in text and reverse("content:item", args=[ending.pk]) in text
    assert "Ending next month" not in text
    assert "Talk about our new plant in Lyon" in text
    assert "A report the content manager does not handle" not in text
    assert "Changes requested" in text and "Suggestions waiting" in text
    # Not the sections of other roles.
    assert "Set-up checklist" not in text and "Waiting for your approval" not in text

    french = text_of(client, "fr")
    assert "Vos brouillons" in french and "Modifications demandées" in french


# --- Approvers


def test_approver_sees_the_items_waiting_oldest_first(client, org, manager, approver):
    first = submitted(manager, "Submitted first")
    second = submitted(manager, "Submitted second")
    factories.make_item(manager, title="Still a draft")
    text = text_of(logged(client, approver))
    assert "Waiting for your approval" in text
    assert text.index("Submitted first") < text.index("Submitted second")
    assert reverse("content:item", args=[first.pk]) in text
    assert reverse("content:item", args=[second.pk]) in text
    assert "Still a draft" not in text
    assert reverse("content:approvals") in text
    assert "En attente de votre approbation" in text_of(client, "fr")


def test_final_approver_sees_what_waits_for_the_final_signature(
    client, org, manager, approver, final_approver
):
    org.final_approval_required = True
    org.save(update_fields=["final_approval_required"])
    item = submitted(manager, "Needs the final signature")
    content_services.item_approve(membership=approver, item=item)
    text = text_of(logged(client, final_approver))
    assert "Needs the final signature" in text


# --- Community manager


@pytest.fixture
def community(org):
    return factories.make_member(org, Role.COMMUNITY_MANAGER, email="community@acme.test")


def test_community_manager_sees_cases_reconnections_pause_and_alerts(client, org, community):
    reporter = factories.make_member(org, email="reporter@acme.test")
    case(org, "report", "An offensive comment", reported_by=reporter)
    case(org, "warning", "A share with a warning")
    case(org, "report", "Already decided", status="approved")
    owner = factories.make_member(org, email="owner@acme.test", ambassador=True)
    now = clock.now()
    Connection.objects.create(
        organization=org,
        membership=owner,
        network="linkedin",
        account_id="abc",
        handle="owner-on-linkedin",
        tokens_encrypted="x",
        status=ConnectionStatus.NEEDS_RECONNECT,
        created_at=now,
        updated_at=now,
    )
    Notification.objects.create(
        organization=org,
        membership=community,
        kind="reconnect",
        title="An account needs reconnecting",
        url="/me/accounts/",
        dedupe_key="k1",
        created_at=now,
    )
    client = logged(client, community)
    text = text_of(client)
    assert "An offensive comment" in text and "A share with a warning" in text
    assert "Already decided" not in text
    assert "1 report from colleagues" in text
    assert "owner-on-linkedin" in text
    assert "An account needs reconnecting" in text
    assert "Publishing runs normally" in text

    publishing_services.pause_start(actor=community, reason="Crisis at the Lyon plant")
    text = text_of(client)
    assert "Publishing is paused." in text and "Crisis at the Lyon plant" in text
    assert "La publication est suspendue." in text_of(client, "fr")


def test_community_manager_sees_the_vigilance_inbox_of_their_organization_only(
    client, org, other_org, community, monkeypatch
):
    from portevoix.listening import selectors as listening_selectors
    from portevoix.listening.models import Mention

    now = clock.now()

    def mention(organization, key, **extra):
        return Mention.objects.create(
            organization=organization,
            key=key,
            network="rss",
            text="Acme is late",
            published_at=now,
            found_at=now,
            **extra,
        )

    for n in range(3):
        mention(org, f"a{n}")
    mention(org, "mine", assignee=community)
    mention(org, "done", status="handled", assignee=community)
    for n in range(5):
        mention(other_org, f"b{n}")
    client = logged(client, community)
    text = text_of(client)
    assert 'New mentions <span class="home-count">4</span>' in text
    assert "1 assigned to you · 0 spike alerts in 7 days" in text
    assert reverse("listening:inbox") in text
    assert "Nouvelles mentions" in text_of(client, "fr")
    monkeypatch.setattr(listening_selectors, "HOME_CAP", 2)  # a bounded count, shown "2+"
    assert '<span class="home-count">2+</span>' in text_of(client)


# --- Analyst and executive


@pytest.mark.parametrize("role", [Role.ANALYST, Role.EXECUTIVE])
def test_analyst_and_executive_see_this_period_against_the_previous(
    client, org, manager, approver, role
):
    reader = factories.make_member(org, role)
    item = factories.make_live_item(manager, approver, title="Shared")
    someone = factories.make_member(org, ambassador=True)
    now = timezone.localtime(clock.now())
    for days in (1, 2, 3):  # this period: 3 shares, 1 click
        share = events.share(someone, item, "x", now - dt.timedelta(days=days))
    events.click(share.link, now - dt.timedelta(days=1), "v1")
    for days in (40, 45):  # the previous period: 2 shares, no click
        events.share(someone, item, "linkedin", now - dt.timedelta(days=days))
    section = selectors.home_for(reader).figures
    assert section is not None
    figures = {f.key: f for f in section.figures}
    assert (figures["shares"].current, figures["shares"].previous) == (3, 2)
    assert figures["shares"].change == 50 and figures["shares"].trend == "up"
    assert figures["clicks"].change is None and figures["clicks"].trend == "new"
    text = text_of(logged(client, reader))
    assert "The last 30 days" in text and "+50 %" in text
    assert "No goal running." in text
    assert "Les 30 derniers jours" in text_of(client, "fr")


def test_analyst_sees_the_goals_running_with_their_status(client, org, admin, manager, approver):
    reader = factories.make_member(org, Role.ANALYST)
    item = factories.make_live_item(manager, approver, title="Shared")
    someone = factories.make_member(org, ambassador=True)
    today = timezone.localdate(clock.now())
    events.share(someone, item, "x", timezone.localtime(clock.now()) - dt.timedelta(hours=1))

    def goal(name: str, target: int, start: int, end: int) -> None:
        analytics_services.goal_create(
            actor=admin,
            data=analytics_services.GoalData(
                name=name,
                metric="shares",
                target=Decimal(target),
                start=today - dt.timedelta(days=start),
                deadline=today + dt.timedelta(days=end),
            ),
        )

    goal("One share", 1, 10, 10)  # reached
    goal("A thousand shares", 1000, 10, 10)  # at risk
    goal("Long over", 5, 90, -30)  # ended a month ago: not on the home
    section = selectors.home_for(reader).figures
    assert section is not None
    assert [(row.goal.name, row.status) for row in section.goals] == [
        ("One share", "reached"),
        ("A thousand shares", "at_risk"),
    ]
    text = text_of(logged(client, reader))
    assert "One share" in text and "Reached" in text and "At risk" in text
    assert "Long over" not in text
    assert "Atteint" in text_of(client, "fr")


def test_a_fall_is_a_negative_change():
    figure = selectors.Figure("shares", "Shares", current=1, previous=4)
    assert figure.change == -75 and figure.trend == "down"


# --- Administrator


def test_admin_checklist_follows_the_real_data(client, db):
    alone = factories.make_org("Fresh")
    admin = Membership.objects.get(organization=alone)
    client = logged(client, admin)

    def section() -> selectors.AdminSection:
        found = selectors.home_for(admin).admin
        assert found is not None
        return found

    def steps() -> dict[str, bool]:
        return {s.key: s.done for s in section().steps}

    assert steps() == {
        "invite": False,
        "teams": False,
        "approvers": False,
        "charter": False,
        "network_apps": False,
        "first_content": False,
    }
    text = text_of(client)
    assert "Set-up checklist" in text and "0 of 6 done" in text
    assert reverse("governance:charter_manage") in text and reverse("publishing:apps") in text

    account_services.invitation_create(actor=admin, email="new@fresh.test", roles=[Role.APPROVER])
    account_services.team_create(actor=admin, name="Paris")
    CharterVersion.objects.create(
        organization=alone, number=1, body_en="Be kind.", status=CharterStatus.PUBLISHED
    )
    NetworkApp.objects.create(organization=alone, network="linkedin", client_id="id")
    their_approver = factories.make_member(alone, Role.APPROVER)
    factories.make_live_item(admin, their_approver, title="First news")
    assert all(steps().values())
    text = text_of(client)
    assert "6 of 6 done" in text
    assert "Invitations pending" in text
    people = section().people
    assert (people.members, people.pending_invitations, people.ambassadors) == (2, 1, 0)
    assert "Liste de mise en route" in text_of(client, "fr")


# --- Ambassador and member without a role


def test_ambassador_only_is_sent_to_their_feed(client, ambassador):
    response = logged(client, ambassador).get(HOME)
    assert response.status_code == 302 and response.url == reverse("content:feed")


def test_a_manager_who_is_also_an_ambassador_sees_a_link_to_the_feed(client, org):
    both = factories.make_member(org, Role.CONTENT_MANAGER, ambassador=True)
    text = text_of(logged(client, both))
    assert "Your drafts" in text and reverse("content:feed") in text


def test_member_without_role_is_invited_to_become_an_ambassador(client, member):
    client = logged(client, member)
    text = text_of(client)
    assert "Become an ambassador" in text and reverse("accounts:enrol") in text
    assert "Devenir ambassadeur" in text_of(client, "fr")
    # The charter link opens, even before the organization has written one.
    assert client.get(reverse("governance:charter")).status_code == 200


def test_without_organization_the_chooser(client, db):
    client.force_login(factories.make_user("lonely@example.org"))
    response = client.get(HOME)
    assert response.status_code == 302 and response.url == reverse("accounts:dashboard")


def test_anonymous_goes_to_login(client):
    response = client.get(HOME)
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_wrong_method_is_405(client, manager):
    response = logged(client, manager).post(HOME)
    assert response.status_code == 405


# --- Outsiders' data never shows


def test_another_organizations_data_never_appears(client, org, other_org, outsider):
    their_manager = factories.make_member(other_org, Role.CONTENT_MANAGER, Role.APPROVER)
    their_approver = factories.make_member(other_org, Role.APPROVER)
    factories.make_item(their_manager, title="Globex secret draft")
    submitted(their_manager, "Globex item in review")
    factories.make_live_item(
        their_manager,
        their_approver,
        title="Globex item ending",
        expire_at=clock.now() + dt.timedelta(days=2),
    )
    case(other_org, "suggestion", "Globex suggestion")
    case(other_org, "report", "Globex report")
    publishing_services.pause_start(actor=outsider, reason="Globex crisis")
    everyone = factories.make_member(
        org,
        Role.ADMIN,
        Role.CONTENT_MANAGER,
        Role.APPROVER,
        Role.FINAL_APPROVER,
        Role.COMMUNITY_MANAGER,
        Role.ANALYST,
    )
    text = text_of(logged(client, everyone))
    for secret in ("Globex", "secret draft"):
        assert secret not in text
    assert "Publishing runs normally" in text


# --- A constant number of queries per role


ROLE_SETS = {
    "content_manager": (Role.CONTENT_MANAGER,),
    "approver": (Role.APPROVER,),
    "final_approver": (Role.FINAL_APPROVER,),
    "community_manager": (Role.COMMUNITY_MANAGER,),
    "analyst": (Role.ANALYST,),
    "executive": (Role.EXECUTIVE,),
    "admin": (Role.ADMIN,),
    "member": (),
}


def _fill(org, manager, approver, n: int) -> None:
    for i in range(n):
        factories.make_item(manager, title=f"Draft {i}")
        submitted(manager, f"Review {i}")
        factories.make_live_item(
            manager, approver, title=f"Ending {i}", expire_at=clock.now() + dt.timedelta(days=2)
        )
        case(org, "suggestion", f"Suggestion {i}")
        case(org, "report", f"Report {i}")


@pytest.mark.parametrize("name", ROLE_SETS)
def test_the_home_costs_a_constant_number_of_queries(
    client, org, manager, approver, name, django_assert_max_num_queries
):
    reader = factories.make_member(org, *ROLE_SETS[name])
    if name == "content_manager":
        reader = manager
    client = logged(client, reader)
    _fill(org, manager, approver, 2)
    with django_assert_max_num_queries(30) as few:
        client.get(HOME)
    _fill(org, manager, approver, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(HOME)
    assert response.status_code == 200
