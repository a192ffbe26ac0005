"""Accounts pages: teams, the ambassador enrolment, API tokens and the organization settings."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portevoix.accounts import services
from portevoix.accounts.models import AmbassadorProfile, ApiToken, ConsentEvent, Team
from portevoix.content.models import Topic
from tests.accounts._helpers import page_text

pytestmark = pytest.mark.django_db


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
    assert "Already exists." in page_text(response)
    url = reverse("accounts:team", args=[team.pk])
    assert as_admin.get(url).status_code == 200
    response = as_admin.post(url, {"name": "Lyon Part-Dieu", "kind": "site"})
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "Lyon Part-Dieu"
    delete_url = reverse("accounts:team_delete", args=[team.pk])
    assert "Lyon Part-Dieu" in page_text(as_admin.get(delete_url))
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
    text = page_text(as_member.get(reverse("accounts:enrol")))
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

    text = page_text(as_member.get(url))
    assert "Save my profile" in text and "Consent history" in text and "Opted in" in text
    response = as_member.post(url, _enrol_post(mastodon_use="", help_with=["analytics"]))
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.help_with == ["analytics"]
    assert {n.network for n in profile.networks.all()} == {"linkedin"}
    assert ConsentEvent.objects.filter(membership=member).count() == 1

    withdraw = reverse("accounts:enrol_withdraw")
    response = as_member.get(withdraw)
    assert response.status_code == 200 and "stop being an ambassador" in page_text(response)
    assert as_member.post(withdraw).status_code == 302
    profile.refresh_from_db()
    assert not profile.opted_in and profile.opted_out_at is not None
    kinds = list(ConsentEvent.objects.filter(membership=member).values_list("kind", flat=True))
    assert kinds == ["opt_in", "opt_out"]
    text = page_text(as_member.get(url))
    assert "Withdrew" in text and "I choose to become an ambassador" in text


def test_enrol_errors_are_next_to_fields(as_member, member):
    response = as_member.post(
        reverse("accounts:enrol"),
        _enrol_post(languages=[], mastodon_instance="not a host"),
    )
    assert response.status_code == 400
    text = page_text(response)
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
    assert secret in page_text(response)
    assert services.api_token_authenticate(secret) == member
    text = page_text(as_member.get(url))
    assert "Reporting" in text and secret not in text
    assert secret[:10] in text  # the prefix helps recognise it


def test_token_needs_a_name(as_member):
    response = as_member.post(reverse("accounts:tokens"), {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_a_token(as_member, member):
    issued = services.api_token_create(membership=member, name="Old script")
    url = reverse("accounts:token_revoke", args=[issued.token.pk])
    assert "Old script" in page_text(as_member.get(url))
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
    text = page_text(as_admin.get(reverse("accounts:org_settings")))
    assert "Nobody has the final approver role yet" in text


def test_organization_settings_errors(as_admin, org):
    response = as_admin.post(
        reverse("accounts:org_settings"),
        {"name": "Acme", "default_language": "fr", "approvals_required": "11"},
    )
    assert response.status_code == 400
    assert 'id="id_approvals_required_error"' in page_text(response)
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
