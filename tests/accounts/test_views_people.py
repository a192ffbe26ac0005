"""Accounts pages: the people list and a member's page (filters, pagination, editing roles)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portevoix.accounts import services
from portevoix.accounts.models import Membership
from portevoix.accounts.permissions import roles_of
from portevoix.accounts.roles import Role
from tests import factories
from tests.accounts._helpers import page_text

pytestmark = pytest.mark.django_db


# --- People


def _people(org, count, team, start=0):
    for n in range(start, start + count):
        m = factories.make_member(org, Role.ANALYST, email=f"p{n}@acme.test")
        m.teams.add(team)
        if n % 3 == 0:
            services.ambassador_opt_in(
                membership=m, data=services.EnrolmentData(languages=["fr"], help_with=["ideas"])
            )


def test_people_list_has_no_n_plus_one(as_admin, org, team):
    _people(org, 3, team)
    url = reverse("accounts:members")
    as_admin.get(url)  # warm up the session
    with CaptureQueriesContext(connection) as few:
        assert as_admin.get(url).status_code == 200
    _people(org, 22, team, start=3)  # 25 + owner + admin: a full page and more
    with CaptureQueriesContext(connection) as many:
        response = as_admin.get(url)
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 14
    assert response.context["page"].paginator.count == 27
    assert len(response.context["rows"]) == 25


def test_people_list_shows_roles_teams_and_ambassadors(as_admin, org, team, ambassador):
    text = page_text(as_admin.get(reverse("accounts:members")))
    assert "ambassador@acme.test" in text
    assert "Administrator" in text
    assert "badge-live" in text  # the ambassador flag


def test_people_filters(as_admin, org, team, member, ambassador, admin):
    member.teams.add(team)
    url = reverse("accounts:members")

    def emails(query):
        response = as_admin.get(url, query)
        return {row["membership"].user.email for row in response.context["rows"]}

    assert emails({"q": "ambass"}) == {"ambassador@acme.test"}
    assert emails({"team": team.pk}) == {"member@acme.test"}
    assert emails({"role": "ambassador"}) == {"ambassador@acme.test"}
    assert "admin@acme.test" in emails({"role": "admin"})
    assert "member@acme.test" not in emails({"role": "admin"})
    # Nonsense filters are ignored, not errors.
    assert "member@acme.test" in emails({"team": "zzz", "role": "pilot"})


def test_people_list_pagination(as_member, org, team):
    _people(org, 30, team)
    response = as_member.get(reverse("accounts:members"), {"page": 2, "role": "analyst"})
    assert response.status_code == 200
    assert response.context["page"].number == 2
    assert "role=analyst" in page_text(response)  # the filter is kept in the page links


def test_inactive_members_are_listed_for_admins_only(as_admin, client, admin, member):
    services.membership_update(actor=admin, membership=member, is_active=False)
    url = reverse("accounts:members")
    rows = as_admin.get(url).context["rows"]
    assert "member@acme.test" not in {r["membership"].user.email for r in rows}
    rows = as_admin.get(url, {"inactive": "on"}).context["rows"]
    assert "member@acme.test" in {r["membership"].user.email for r in rows}
    other = factories.make_member(admin.organization, email="other@acme.test")
    client.force_login(other.user)
    response = client.get(url, {"inactive": "on"})
    assert "member@acme.test" not in {r["membership"].user.email for r in response.context["rows"]}


def test_member_detail_visibility(client, org, admin, member, ambassador):
    url = reverse("accounts:member", args=[ambassador.pk])
    client.force_login(member.user)
    assert client.get(url).status_code == 403
    assert client.get(reverse("accounts:member", args=[member.pk])).status_code == 200  # self
    analyst = factories.make_member(org, Role.ANALYST)
    client.force_login(analyst.user)
    response = client.get(url)
    assert response.status_code == 200 and response.context["form"] is None
    assert "LinkedIn" in page_text(response)
    assert client.post(url, {"roles": ["admin"]}).status_code == 403
    client.force_login(admin.user)
    response = client.get(url)
    assert response.status_code == 200 and response.context["form"] is not None
    text = page_text(response)
    assert 'value="ambassador"' not in text  # not assignable
    assert "own choice" in text


def test_admin_edits_a_member(as_admin, member, team):
    response = as_admin.post(
        reverse("accounts:member", args=[member.pk]),
        {"roles": ["analyst", "approver"], "teams": [team.pk], "title": "Buyer", "is_active": "on"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.title == "Buyer"
    assert list(member.teams.all()) == [team]
    assert roles_of(member) == {Role.ANALYST, Role.APPROVER}


def test_ambassador_cannot_be_assigned_from_the_page(as_admin, member):
    response = as_admin.post(
        reverse("accounts:member", args=[member.pk]), {"roles": ["ambassador"], "is_active": "on"}
    )
    assert response.status_code == 400
    assert 'id="id_roles_error"' in page_text(response)
    assert Role.AMBASSADOR not in roles_of(Membership.objects.get(pk=member.pk))


def test_the_last_admin_is_kept(client, db):
    org = factories.make_org("Solo")
    owner = Membership.objects.get(organization=org)
    client.force_login(owner.user)
    response = client.post(
        reverse("accounts:member", args=[owner.pk]), {"roles": ["analyst"], "is_active": "on"}
    )
    assert response.status_code == 400
    assert "at least one active administrator" in page_text(response)
    assert roles_of(Membership.objects.get(pk=owner.pk)) == {Role.ADMIN}


def test_team_of_another_org_is_refused_in_the_form(as_admin, member, outsider):
    theirs = services.team_create(actor=outsider, name="Theirs")
    response = as_admin.post(
        reverse("accounts:member", args=[member.pk]), {"teams": [theirs.pk], "is_active": "on"}
    )
    assert response.status_code == 400
    assert not member.teams.exists()
