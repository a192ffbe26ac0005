"""Accounts pages: sending, revoking and accepting invitations."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from portevoix.accounts import services
from portevoix.accounts.middleware import SESSION_KEY
from portevoix.accounts.models import Invitation, Membership, User
from portevoix.accounts.permissions import roles_of
from portevoix.accounts.roles import Role
from tests import factories
from tests.accounts._helpers import page_text

pytestmark = pytest.mark.django_db


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
    text = page_text(as_admin.get(reverse("accounts:invite")))
    assert "new@acme.test" in text
    assert reverse("accounts:invitation_revoke", args=[invitation.pk]) in text


def test_invite_shows_errors_next_to_fields(as_admin, member):
    response = as_admin.post(
        reverse("accounts:invite"), {"email": "member@acme.test", "language": "fr"}
    )
    assert response.status_code == 400
    text = page_text(response)
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
    assert response.status_code == 200 and "new@acme.test" in page_text(response)
    response = as_admin.post(url)
    assert response.status_code == 302
    issued.invitation.refresh_from_db()
    assert issued.invitation.revoked_at is not None
    assert url not in page_text(as_admin.get(reverse("accounts:invite")))


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
    text = page_text(response)
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
    assert "Nina Simone" in page_text(response)
    # The link is now used.
    response = client.get(_accept_url(issued))
    assert response.status_code == 410
    assert "already used" in page_text(response)


def test_accept_form_errors(client, issued):
    response = client.post(
        _accept_url(issued),
        {"full_name": "Nina", "password": "a-long-unusual-pass", "password_confirm": "other"},
    )
    assert response.status_code == 400
    assert 'id="id_password_confirm_error"' in page_text(response)
    response = client.post(
        _accept_url(issued), {"full_name": "Nina", "password": "123", "password_confirm": "123"}
    )
    assert response.status_code == 400
    assert 'id="id_password_error"' in page_text(response)
    assert not User.objects.filter(email="nina@acme.test").exists()


def test_accept_when_logged_in(client, issued, org):
    user = factories.make_user("nina@acme.test")
    client.force_login(user)
    response = client.get(_accept_url(issued))
    assert response.status_code == 200
    assert 'name="password"' not in page_text(response)
    response = client.post(_accept_url(issued))
    assert response.status_code == 302
    assert Membership.objects.filter(user=user, organization=org).exists()


def test_accept_with_another_account_explains(client, issued, org):
    someone = factories.make_user("someone@else.test")
    client.force_login(someone)
    response = client.get(_accept_url(issued))
    assert "was sent to nina@acme.test" in page_text(response)
    response = client.post(_accept_url(issued))
    assert response.status_code == 400
    assert not Membership.objects.filter(user=someone).exists()


def test_accept_page_offers_login_when_the_account_exists(client, issued):
    factories.make_user("nina@acme.test")
    text = page_text(client.get(_accept_url(issued)))
    assert "An account already exists" in text
    assert 'name="password"' not in text


def test_unknown_invitation_is_404(client, db):
    response = client.get(reverse("accounts:invitation_accept", args=["nope"]))
    assert response.status_code == 404
    assert "does not exist" in page_text(response)


def test_revoked_invitation_is_410(client, issued, admin):
    services.invitation_revoke(actor=admin, invitation=issued.invitation)
    response = client.get(_accept_url(issued))
    assert response.status_code == 410
    assert "withdrawn" in page_text(response)
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
    assert "expired" in page_text(response)
