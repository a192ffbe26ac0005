"""Web pages of accounts: who sees what, forms and their errors, isolation between orgs."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portevoix.accounts import services
from portevoix.accounts.middleware import SESSION_KEY
from portevoix.accounts.models import (
    AmbassadorProfile,
    ApiToken,
    ConsentEvent,
    Invitation,
    Membership,
    Team,
    User,
)
from portevoix.accounts.permissions import roles_of
from portevoix.accounts.roles import Role
from portevoix.content.models import Topic
from tests import factories

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


@pytest.fixture
def team(admin):
    return services.team_create(actor=admin, name="Marketing")


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin.user)
    return client


@pytest.fixture
def as_member(client, member):
    client.force_login(member.user)
    return client


def _text(response) -> str:
    return response.content.decode()


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
        assert "not allowed" in _text(response)


def test_member_without_organization_sees_a_friendly_page(client):
    user = factories.make_user("lonely@example.org")
    client.force_login(user)
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 200
    assert "not a member of any organization" in _text(response)
    response = client.get(reverse("accounts:members"))
    assert response.status_code == 302 and response.url == reverse("accounts:dashboard")


def test_home_redirects_to_dashboard(as_member):
    response = as_member.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("accounts:dashboard")


def test_unknown_page_uses_the_404_template(as_member):
    response = as_member.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in _text(response)


# --- Dashboard


def test_dashboard_invites_to_opt_in_without_forcing(as_member, member):
    text = _text(as_member.get(reverse("accounts:dashboard")))
    assert "Acme" in text
    assert "Become an ambassador" in text
    assert "voluntary" in text
    assert reverse("accounts:enrol") in text
    assert not AmbassadorProfile.objects.filter(membership=member).exists()


def test_dashboard_of_an_ambassador(client, ambassador):
    client.force_login(ambassador.user)
    text = _text(client.get(reverse("accounts:dashboard")))
    assert "You are an ambassador since" in text
    assert "Become an ambassador" not in text
    assert reverse("content:feed") in text


def test_dashboard_shows_roles_and_links_by_role(as_admin, client, member):
    text = _text(as_admin.get(reverse("accounts:dashboard")))
    assert "Administrator" in text
    assert reverse("accounts:invite") in text
    assert reverse("accounts:org_settings") in text
    client.force_login(member.user)
    text = _text(client.get(reverse("accounts:dashboard")))
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
    text = _text(client.get(reverse("accounts:dashboard")))
    assert 'name="organization"' in text and "Globex" in text
    response = client.post(
        reverse("accounts:org_switch"),
        {"organization": other_org.pk, "next": reverse("accounts:members")},
    )
    assert response.status_code == 302 and response.url == reverse("accounts:members")
    assert client.session[SESSION_KEY] == other_org.pk
    text = _text(client.get(reverse("accounts:dashboard")))
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
    text = _text(as_admin.get(reverse("accounts:members")))
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
    assert "role=analyst" in _text(response)  # the filter is kept in the page links


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
    assert "LinkedIn" in _text(response)
    assert client.post(url, {"roles": ["admin"]}).status_code == 403
    client.force_login(admin.user)
    response = client.get(url)
    assert response.status_code == 200 and response.context["form"] is not None
    text = _text(response)
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
    assert 'id="id_roles_error"' in _text(response)
    assert Role.AMBASSADOR not in roles_of(Membership.objects.get(pk=member.pk))


def test_the_last_admin_is_kept(client, db):
    org = factories.make_org("Solo")
    owner = Membership.objects.get(organization=org)
    client.force_login(owner.user)
    response = client.post(
        reverse("accounts:member", args=[owner.pk]), {"roles": ["analyst"], "is_active": "on"}
    )
    assert response.status_code == 400
    assert "at least one active administrator" in _text(response)
    assert roles_of(Membership.objects.get(pk=owner.pk)) == {Role.ADMIN}


def test_team_of_another_org_is_refused_in_the_form(as_admin, member, outsider):
    theirs = services.team_create(actor=outsider, name="Theirs")
    response = as_admin.post(
        reverse("accounts:member", args=[member.pk]), {"teams": [theirs.pk], "is_active": "on"}
    )
    assert response.status_code == 400
    assert not member.teams.exists()


# --- Invitations


def test_invite_sends_an_email_and_lists_it(
    as_admin, org, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(
            reverse("accounts:invite"),
            {"email": "new@acme.test", "roles": ["analyst"], "teams": [team.pk], "language": "fr"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new@acme.test")
    assert invitation.roles == ["analyst"] and list(invitation.teams.all()) == [team]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@acme.test"]
    assert "Acme" in mail.outbox[0].subject
    assert "/invitations/" in mail.outbox[0].body
    text = _text(as_admin.get(reverse("accounts:invite")))
    assert "new@acme.test" in text
    assert reverse("accounts:invitation_revoke", args=[invitation.pk]) in text


def test_invite_shows_errors_next_to_fields(as_admin, member):
    response = as_admin.post(
        reverse("accounts:invite"), {"email": "member@acme.test", "language": "fr"}
    )
    assert response.status_code == 400
    text = _text(response)
    assert 'id="id_email_error"' in text
    assert 'aria-describedby="id_email_error"' in text
    assert 'aria-invalid="true"' in text
    assert "Already a member." in text


def test_invite_is_for_admins(as_member):
    response = as_member.post(reverse("accounts:invite"), {"email": "x@acme.test"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_revoke_an_invitation(as_admin, admin):
    issued = services.invitation_create(actor=admin, email="new@acme.test")
    url = reverse("accounts:invitation_revoke", args=[issued.invitation.pk])
    response = as_admin.get(url)
    assert response.status_code == 200 and "new@acme.test" in _text(response)
    response = as_admin.post(url)
    assert response.status_code == 302
    issued.invitation.refresh_from_db()
    assert issued.invitation.revoked_at is not None
    assert url not in _text(as_admin.get(reverse("accounts:invite")))


@pytest.fixture
def issued(admin, team):
    return services.invitation_create(
        actor=admin, email="nina@acme.test", roles=[Role.APPROVER], team_ids=[team.pk]
    )


def _accept_url(issued) -> str:
    return reverse("accounts:invitation_accept", args=[issued.token])


def test_accept_page_logged_out(client, issued):
    response = client.get(_accept_url(issued))
    assert response.status_code == 200
    text = _text(response)
    assert "Acme" in text and "nina@acme.test" in text
    assert 'name="full_name"' in text and 'name="password"' in text
    assert reverse("accounts:login") + "?next=" in text


def test_accept_creates_the_account_and_logs_in(client, issued, org, team):
    response = client.post(
        _accept_url(issued),
        {
            "full_name": "Nina Simone",
            "password": "a-long-unusual-passphrase",
            "password_confirm": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 302 and response.url == reverse("accounts:dashboard")
    user = User.objects.get(email="nina@acme.test")
    membership = Membership.objects.get(user=user, organization=org)
    assert roles_of(membership) == {Role.APPROVER}
    assert list(membership.teams.all()) == [team]
    assert client.session[SESSION_KEY] == org.pk
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 200
    assert "Nina Simone" in _text(response)
    # The link is now used.
    response = client.get(_accept_url(issued))
    assert response.status_code == 410
    assert "already used" in _text(response)


def test_accept_form_errors(client, issued):
    response = client.post(
        _accept_url(issued),
        {"full_name": "Nina", "password": "a-long-unusual-pass", "password_confirm": "other"},
    )
    assert response.status_code == 400
    assert 'id="id_password_confirm_error"' in _text(response)
    response = client.post(
        _accept_url(issued), {"full_name": "Nina", "password": "123", "password_confirm": "123"}
    )
    assert response.status_code == 400
    assert 'id="id_password_error"' in _text(response)
    assert not User.objects.filter(email="nina@acme.test").exists()


def test_accept_when_logged_in(client, issued, org):
    user = factories.make_user("nina@acme.test")
    client.force_login(user)
    response = client.get(_accept_url(issued))
    assert response.status_code == 200
    assert 'name="password"' not in _text(response)
    response = client.post(_accept_url(issued))
    assert response.status_code == 302
    assert Membership.objects.filter(user=user, organization=org).exists()


def test_accept_with_another_account_explains(client, issued, org):
    someone = factories.make_user("someone@else.test")
    client.force_login(someone)
    response = client.get(_accept_url(issued))
    assert "was sent to nina@acme.test" in _text(response)
    response = client.post(_accept_url(issued))
    assert response.status_code == 400
    assert not Membership.objects.filter(user=someone).exists()


def test_accept_page_offers_login_when_the_account_exists(client, issued):
    factories.make_user("nina@acme.test")
    text = _text(client.get(_accept_url(issued)))
    assert "An account already exists" in text
    assert 'name="password"' not in text


def test_unknown_invitation_is_404(client, db):
    response = client.get(reverse("accounts:invitation_accept", args=["nope"]))
    assert response.status_code == 404
    assert "does not exist" in _text(response)


def test_revoked_invitation_is_410(client, issued, admin):
    services.invitation_revoke(actor=admin, invitation=issued.invitation)
    response = client.get(_accept_url(issued))
    assert response.status_code == 410
    assert "withdrawn" in _text(response)
    response = client.post(
        _accept_url(issued),
        {
            "full_name": "N",
            "password": "long-pass-phrase-9",
            "password_confirm": "long-pass-phrase-9",
        },
    )
    assert response.status_code == 410


def test_expired_invitation_is_410(client, issued):
    from portevoix.core import clock

    Invitation.objects.filter(pk=issued.invitation.pk).update(expires_at=clock.now())
    response = client.get(_accept_url(issued))
    assert response.status_code == 410
    assert "expired" in _text(response)


# --- Teams


def test_teams_list_with_counts(as_member, team, admin, member):
    member.teams.add(team)
    admin.teams.add(team)
    response = as_member.get(reverse("accounts:teams"))
    assert response.status_code == 200
    listed = {t.name: t.member_count for t in response.context["teams"]}
    assert listed == {"Marketing": 2}
    assert response.context["form"] is None  # no create form for a plain member


def test_admin_creates_renames_and_deletes_a_team(as_admin, org):
    response = as_admin.post(reverse("accounts:teams"), {"name": "Lyon", "kind": "site"})
    assert response.status_code == 302
    team = Team.objects.get(organization=org, name="Lyon")
    response = as_admin.post(reverse("accounts:teams"), {"name": "lyon", "kind": "site"})
    assert response.status_code == 400
    assert "Already exists." in _text(response)
    url = reverse("accounts:team", args=[team.pk])
    assert as_admin.get(url).status_code == 200
    response = as_admin.post(url, {"name": "Lyon Part-Dieu", "kind": "site"})
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "Lyon Part-Dieu"
    delete_url = reverse("accounts:team_delete", args=[team.pk])
    assert "Lyon Part-Dieu" in _text(as_admin.get(delete_url))
    assert as_admin.post(delete_url).status_code == 302
    assert not Team.objects.filter(pk=team.pk).exists()


def test_member_cannot_manage_teams(as_member, team):
    assert as_member.post(reverse("accounts:teams"), {"name": "X"}).status_code == 403
    assert as_member.get(reverse("accounts:team", args=[team.pk])).status_code == 200
    assert (
        as_member.post(reverse("accounts:team", args=[team.pk]), {"name": "Y"}).status_code == 403
    )
    assert as_member.get(reverse("accounts:team_delete", args=[team.pk])).status_code == 403
    assert as_member.post(reverse("accounts:team_delete", args=[team.pk])).status_code == 403
    team.refresh_from_db()
    assert team.name == "Marketing"


# --- Ambassador enrolment


def _enrol_post(**extra):
    data = {
        "languages": ["fr", "en"],
        "help_with": ["sharing", "ideas"],
        "linkedin_use": "on",
        "linkedin_audience": "850",
        "linkedin_handle": "nina",
        "mastodon_use": "on",
        "mastodon_audience": "120",
        "mastodon_instance": "piaille.fr",
        "x_audience": "",  # not ticked: ignored
    }
    data.update(extra)
    return data


def test_enrol_page_shows_every_network(as_member, org):
    Topic.objects.create(organization=org, name="Engineering", slug="eng")
    text = _text(as_member.get(reverse("accounts:enrol")))
    for label in ["LinkedIn", "X", "Facebook", "Mastodon", "Bluesky", "Threads"]:
        assert f"<legend>{label}</legend>" in text
    assert 'name="mastodon_instance"' in text
    assert 'name="linkedin_instance"' not in text
    assert "Engineering" in text
    assert "I choose to become an ambassador" in text


def test_opt_in_update_and_withdraw(as_member, member, org):
    topic = Topic.objects.create(organization=org, name="Engineering", slug="eng")
    url = reverse("accounts:enrol")
    response = as_member.post(url, _enrol_post(topics=[topic.pk]))
    assert response.status_code == 302
    profile = AmbassadorProfile.objects.get(membership=member)
    assert profile.opted_in and profile.languages == ["en", "fr"]
    assert list(profile.interests.all()) == [topic]
    networks = {n.network: (n.audience, n.handle, n.instance) for n in profile.networks.all()}
    assert networks == {"linkedin": (850, "nina", ""), "mastodon": (120, "", "piaille.fr")}

    text = _text(as_member.get(url))
    assert "Save my profile" in text and "Consent history" in text and "Opted in" in text
    response = as_member.post(url, _enrol_post(mastodon_use="", help_with=["analytics"]))
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.help_with == ["analytics"]
    assert {n.network for n in profile.networks.all()} == {"linkedin"}
    assert ConsentEvent.objects.filter(membership=member).count() == 1

    withdraw = reverse("accounts:enrol_withdraw")
    response = as_member.get(withdraw)
    assert response.status_code == 200 and "stop being an ambassador" in _text(response)
    assert as_member.post(withdraw).status_code == 302
    profile.refresh_from_db()
    assert not profile.opted_in and profile.opted_out_at is not None
    kinds = list(ConsentEvent.objects.filter(membership=member).values_list("kind", flat=True))
    assert kinds == ["opt_in", "opt_out"]
    text = _text(as_member.get(url))
    assert "Withdrew" in text and "I choose to become an ambassador" in text


def test_enrol_errors_are_next_to_fields(as_member, member):
    response = as_member.post(
        reverse("accounts:enrol"),
        _enrol_post(languages=[], mastodon_instance="not a host"),
    )
    assert response.status_code == 400
    text = _text(response)
    assert 'id="id_languages_error"' in text
    assert re.search(r'<fieldset[^>]*aria-describedby="[^"]*id_languages_error', text)
    assert 'id="id_mastodon_instance_error"' in text
    assert not AmbassadorProfile.objects.filter(membership=member, opted_in=True).exists()


def test_withdraw_page_when_not_enrolled_goes_back(as_member):
    response = as_member.get(reverse("accounts:enrol_withdraw"))
    assert response.status_code == 302 and response.url == reverse("accounts:enrol")


# --- API tokens


def test_token_secret_is_shown_once(as_member, member):
    url = reverse("accounts:tokens")
    response = as_member.post(url, {"name": "Reporting"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["issued"].secret
    assert secret in _text(response)
    assert services.api_token_authenticate(secret) == member
    text = _text(as_member.get(url))
    assert "Reporting" in text and secret not in text
    assert secret[:10] in text  # the prefix helps recognise it


def test_token_needs_a_name(as_member):
    response = as_member.post(reverse("accounts:tokens"), {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_a_token(as_member, member):
    issued = services.api_token_create(membership=member, name="Old script")
    url = reverse("accounts:token_revoke", args=[issued.token.pk])
    assert "Old script" in _text(as_member.get(url))
    assert as_member.post(url).status_code == 302
    assert services.api_token_authenticate(issued.secret) is None


def test_token_of_a_colleague_is_404(as_member, admin):
    issued = services.api_token_create(membership=admin, name="Admin's")
    url = reverse("accounts:token_revoke", args=[issued.token.pk])
    assert as_member.get(url).status_code == 404
    assert as_member.post(url).status_code == 404
    assert services.api_token_authenticate(issued.secret) == admin


# --- Organization settings


def test_admin_updates_the_organization(as_admin, org):
    response = as_admin.post(
        reverse("accounts:org_settings"),
        {
            "name": "Acme Group",
            "default_language": "en",
            "approvals_required": "2",
            "final_approval_required": "on",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.default_language, org.approvals_required) == ("Acme Group", "en", 2)
    assert org.final_approval_required
    text = _text(as_admin.get(reverse("accounts:org_settings")))
    assert "Nobody has the final approver role yet" in text


def test_organization_settings_errors(as_admin, org):
    response = as_admin.post(
        reverse("accounts:org_settings"),
        {"name": "Acme", "default_language": "fr", "approvals_required": "11"},
    )
    assert response.status_code == 400
    assert 'id="id_approvals_required_error"' in _text(response)
    org.refresh_from_db()
    assert org.approvals_required == 1


def test_organization_settings_are_for_admins(as_member, org):
    response = as_member.post(
        reverse("accounts:org_settings"),
        {"name": "Mine", "default_language": "fr", "approvals_required": "1"},
    )
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.name == "Acme"


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
    assert "Acme" not in _text(response)
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
    text = _text(client.get(reverse("accounts:dashboard"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert 'lang="fr"' in text
    assert "Bienvenue" in text
    assert "Devenir ambassadeur" in text
    text = _text(client.get(reverse("accounts:enrol"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Mon profil d\u2019ambassadeur" in text
    assert "Les réseaux que vous utilisez" in text
    client.force_login(admin.user)
    text = _text(client.get(reverse("accounts:members"), HTTP_ACCEPT_LANGUAGE="fr"))
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
    assert "au moins un administrateur actif" in _text(response)


def test_server_error_page_renders_without_a_request():
    from django.template import loader
    from django.utils import translation

    with translation.override("en"):
        html = loader.get_template("500.html").render()
    assert "Something went wrong" in html
    assert "<html" in html
