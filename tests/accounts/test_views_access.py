"""Accounts pages: who may open which page, the dashboard, the organization switch, an
outsider's 404 on every id of another organization, and the pages in French."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portevoix.accounts import services
from portevoix.accounts.middleware import SESSION_KEY
from portevoix.accounts.models import AmbassadorProfile, ApiToken, Invitation, Membership, Team
from portevoix.accounts.roles import Role
from tests import factories
from tests.accounts._helpers import page_text

pytestmark = pytest.mark.django_db


SIMPLE_PAGES = [
    "accounts:dashboard",
    "accounts:members",
    "accounts:invite",
    "accounts:teams",
    "accounts:enrol",
    "accounts:enrol_withdraw",
    "accounts:tokens",
    "accounts:org_settings",
]


# --- Anonymous visitors


@pytest.mark.parametrize("name", SIMPLE_PAGES)
def test_anonymous_is_sent_to_login(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "next=" in response.url


@pytest.mark.parametrize(
    "name", ["accounts:member", "accounts:team", "accounts:team_delete", "accounts:token_revoke"]
)
def test_anonymous_is_sent_to_login_on_object_pages(client, name):
    response = client.get(reverse(name, args=[1]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_anonymous_cannot_switch_org(client, org):
    response = client.post(reverse("accounts:org_switch"), {"organization": org.pk})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


# --- Who may open which page


@pytest.mark.parametrize("name", SIMPLE_PAGES)
def test_admin_opens_every_page(as_admin, name):
    response = as_admin.get(reverse(name), follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("accounts:dashboard", 200),
        ("accounts:members", 200),
        ("accounts:teams", 200),
        ("accounts:enrol", 200),
        ("accounts:tokens", 200),
        ("accounts:invite", 403),
        ("accounts:org_settings", 403),
    ],
)
def test_plain_member_pages(as_member, name, status):
    response = as_member.get(reverse(name))
    assert response.status_code == status
    if status == 403:
        assert "not allowed" in page_text(response)


def test_member_without_organization_sees_a_friendly_page(client):
    user = factories.make_user("lonely@example.org")
    client.force_login(user)
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 200
    assert "not a member of any organization" in page_text(response)
    response = client.get(reverse("accounts:members"))
    assert response.status_code == 302 and response.url == reverse("accounts:dashboard")


def test_home_is_the_workspace_and_the_dashboard_stays(as_member):
    # `/` is the home by role (tests/workspace); the former dashboard keeps its URL.
    response = as_member.get(reverse("home"))
    assert response.status_code == 200 and "Become an ambassador" in page_text(response)
    assert as_member.get(reverse("accounts:dashboard")).status_code == 200


def test_unknown_page_uses_the_404_template(as_member):
    response = as_member.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in page_text(response)


# --- Dashboard


def test_dashboard_invites_to_opt_in_without_forcing(as_member, member):
    text = page_text(as_member.get(reverse("accounts:dashboard")))
    assert "Acme" in text
    assert "Become an ambassador" in text
    assert "voluntary" in text
    assert reverse("accounts:enrol") in text
    assert not AmbassadorProfile.objects.filter(membership=member).exists()


def test_dashboard_of_an_ambassador(client, ambassador):
    client.force_login(ambassador.user)
    text = page_text(client.get(reverse("accounts:dashboard")))
    assert "You are an ambassador since" in text
    assert "Become an ambassador" not in text
    assert reverse("content:feed") in text


def test_dashboard_shows_roles_and_links_by_role(as_admin, client, member):
    text = page_text(as_admin.get(reverse("accounts:dashboard")))
    assert "Administrator" in text
    assert reverse("accounts:invite") in text
    assert reverse("accounts:org_settings") in text
    client.force_login(member.user)
    text = page_text(client.get(reverse("accounts:dashboard")))
    assert reverse("accounts:invite") not in text
    assert reverse("accounts:org_settings") not in text


# --- Organization switch


@pytest.fixture
def two_orgs_member(org, other_org):
    membership = factories.make_member(org, email="both@example.org")
    services.membership_add(organization=other_org, user=membership.user, roles=[Role.ANALYST])
    return membership


def test_switch_organization(client, two_orgs_member, org, other_org):
    client.force_login(two_orgs_member.user)
    text = page_text(client.get(reverse("accounts:dashboard")))
    assert 'name="organization"' in text and "Globex" in text
    response = client.post(
        reverse("accounts:org_switch"),
        {"organization": other_org.pk, "next": reverse("accounts:members")},
    )
    assert response.status_code == 302 and response.url == reverse("accounts:members")
    assert client.session[SESSION_KEY] == other_org.pk
    text = page_text(client.get(reverse("accounts:dashboard")))
    assert "Analyst" in text
    assert '<h2 id="org-heading">Globex</h2>' in text


def test_switch_refuses_an_org_the_user_is_not_in(as_member, member, other_org):
    response = as_member.post(reverse("accounts:org_switch"), {"organization": other_org.pk})
    assert response.status_code == 404
    assert SESSION_KEY not in as_member.session
    response = as_member.post(reverse("accounts:org_switch"), {"organization": "abc"})
    assert response.status_code == 404


def test_switch_refuses_an_inactive_membership(client, two_orgs_member, other_org):
    Membership.objects.filter(user=two_orgs_member.user, organization=other_org).update(
        is_active=False
    )
    client.force_login(two_orgs_member.user)
    response = client.post(reverse("accounts:org_switch"), {"organization": other_org.pk})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "http:/\\evil.example",
        "javascript:alert(1)",
        "\\\\evil.example",
    ],
)
def test_switch_refuses_an_external_next(client, two_orgs_member, other_org, target):
    client.force_login(two_orgs_member.user)
    response = client.post(
        reverse("accounts:org_switch"), {"organization": other_org.pk, "next": target}
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:dashboard")


def test_switch_needs_post(as_member, org):
    assert as_member.get(reverse("accounts:org_switch")).status_code == 405


# --- Isolation: an outsider gets 404 on every id of another organization


def _member_id(admin, member):
    return member.pk


def _team_id(admin, member):
    return services.team_create(actor=admin, name="Secret team").pk


def _invitation_id(admin, member):
    return services.invitation_create(actor=admin, email="secret@acme.test").invitation.pk


def _token_id(admin, member):
    return services.api_token_create(membership=admin, name="Secret").token.pk


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("name", "make_id"),
    [
        ("accounts:member", _member_id),
        ("accounts:team", _team_id),
        ("accounts:team_delete", _team_id),
        ("accounts:invitation_revoke", _invitation_id),
        ("accounts:token_revoke", _token_id),
    ],
)
def test_outsider_gets_404(client, admin, member, outsider, method, name, make_id):
    pk = make_id(admin, member)
    client.force_login(outsider.user)
    url = reverse(name, args=[pk])
    payload = {"name": "Hacked", "kind": "site", "roles": ["admin"], "is_active": "on"}
    response = client.get(url) if method == "get" else client.post(url, payload)
    assert response.status_code == 404
    assert "Acme" not in page_text(response)
    # Nothing changed.
    assert Team.objects.filter(name="Hacked").count() == 0
    assert Membership.objects.get(pk=member.pk).role_rows.count() == 0
    assert not Invitation.objects.filter(revoked_at__isnull=False).exists()
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()
    assert Team.objects.filter(organization=admin.organization).count() == (
        1 if make_id is _team_id else 0
    )


# --- French


def test_pages_render_in_french(client, member, admin):
    client.force_login(member.user)
    text = page_text(client.get(reverse("accounts:dashboard"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert 'lang="fr"' in text
    assert "Bienvenue" in text
    assert "Devenir ambassadeur" in text
    text = page_text(client.get(reverse("accounts:enrol"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Mon profil d\u2019ambassadeur" in text
    assert "Les réseaux que vous utilisez" in text
    client.force_login(admin.user)
    text = page_text(client.get(reverse("accounts:members"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Personnes" in text and "Administrateur" in text


def test_service_errors_render_in_french(client):
    org = factories.make_org("Solo")
    owner = Membership.objects.get(organization=org)
    client.force_login(owner.user)
    response = client.post(
        reverse("accounts:member", args=[owner.pk]),
        {"roles": ["analyst"], "is_active": "on"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "au moins un administrateur actif" in page_text(response)


def test_server_error_page_renders_without_a_request():
    from django.template import loader
    from django.utils import translation

    with translation.override("en"):
        html = loader.get_template("500.html").render()
    assert "Something went wrong" in html
    assert "<html" in html
