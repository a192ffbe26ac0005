"""First run for a real company (issue 11, section 6): `manage.py create_organization`
creates an empty organization with its first admin, refuses bad input and taken names or
addresses with a clear error, and changes nothing when run again."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from portevoix.accounts import selectors
from portevoix.accounts.models import Membership, Organization, User
from portevoix.accounts.permissions import can
from portevoix.accounts.roles import Role
from tests import factories


def _run(*args: str) -> str:
    out = StringIO()
    call_command("create_organization", *args, "--no-input", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_creates_an_empty_organization_with_its_admin_and_a_set_password_link():
    out = _run("--name", "Acme Énergie", "--admin-email", "Boss@Acme.Example", "--language", "en")
    org = Organization.objects.get(slug="acme-energie")
    assert org.name == "Acme Énergie" and org.default_language == "en"
    user = User.objects.get(email="boss@acme.example")
    assert not user.has_usable_password()  # chosen through the link
    membership = Membership.objects.get(organization=org, user=user)
    assert membership.is_active and can(membership, "org.manage")
    assert [r.role for r in membership.role_rows.all()] == [Role.ADMIN]
    overview = selectors.people_overview(membership=membership)
    assert (overview.members, overview.pending_invitations, overview.teams) == (1, 0, 0)
    assert "Created Acme Énergie" in out
    link = re.search(r"https?://\S+(/password/reset/\S+/)", out)
    assert link, out
    # The link lets the admin choose a password, then log in.
    client = Client()
    form = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    client.post(
        set_url, {"new_password1": "first-admin-pass-99", "new_password2": "first-admin-pass-99"}
    )
    assert (
        Client()
        .post("/login/", {"username": "boss@acme.example", "password": "first-admin-pass-99"})
        .status_code
        == 302
    )


@pytest.mark.django_db
def test_running_it_again_changes_nothing():
    _run("--name", "Acme", "--admin-email", "boss@acme.example")
    out = _run("--name", "Acme", "--admin-email", "boss@acme.example")
    assert "Nothing to do" in out and "/password/reset/" not in out
    assert Organization.objects.count() == 1
    assert User.objects.count() == 1
    assert Membership.objects.count() == 1


@pytest.mark.django_db
def test_an_address_that_already_has_an_account_is_refused():
    factories.make_user("taken@acme.example")
    with pytest.raises(CommandError, match=re.escape("taken@acme.example already has an account")):
        _run("--name", "Acme", "--admin-email", "TAKEN@acme.example")
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_a_name_taken_by_another_organization_is_refused():
    _run("--name", "Acme", "--admin-email", "boss@acme.example")
    with pytest.raises(CommandError, match="An organization named “Acme” already exists"):
        _run("--name", "ACME", "--admin-email", "other@acme.example")
    assert not User.objects.filter(email="other@acme.example").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "  ", "--admin-email", "a@b.example"], "The organization needs a name."),
        (["--name", "!!!", "--admin-email", "a@b.example"], "at least one letter or digit"),
        (["--name", "Acme", "--admin-email", "not-an-email"], "Enter a valid email address."),
        (["--name", "x" * 121, "--admin-email", "a@b.example"], "At most 120 characters."),
    ],
)
def test_bad_input_is_a_clear_error(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        _run(*args)
    assert not Organization.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_missing_arguments_are_refused():
    with pytest.raises(CommandError, match="--admin-email"):
        call_command("create_organization", "--name", "Acme")


@pytest.mark.django_db
def test_the_password_prompt_needs_a_terminal():
    with pytest.raises(CommandError, match="needs a terminal"):
        _run("--name", "Acme", "--admin-email", "a@b.example", "--password-prompt")


@pytest.mark.django_db
def test_the_password_prompt(monkeypatch):
    answers = iter(["a-strong-admin-pass-7", "a-strong-admin-pass-7"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    out = StringIO()
    call_command(
        "create_organization",
        "--name",
        "Acme",
        "--admin-email",
        "a@b.example",
        "--password-prompt",
        stdout=out,
    )
    assert User.objects.get(email="a@b.example").check_password("a-strong-admin-pass-7")
    assert "/password/reset/" not in out.getvalue()


@pytest.mark.django_db
def test_a_weak_password_is_refused(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "password")
    with pytest.raises(CommandError, match="too common"):
        call_command(
            "create_organization",
            "--name",
            "Acme",
            "--admin-email",
            "a@b.example",
            "--password-prompt",
            stdout=StringIO(),
        )
    assert not User.objects.exists()


def test_checklist_counts(admin, member, org, other_org):
    from portevoix.accounts import services
    from tests.factories import make_member

    services.invitation_create(actor=admin, email="new@acme.test")
    overview = selectors.people_overview(membership=admin)
    assert overview.members == 3  # the owner, the admin, the member
    assert overview.pending_invitations == 1
    other_admin = make_member(other_org, Role.ADMIN)
    assert selectors.people_overview(membership=other_admin).pending_invitations == 0


# --- The first-run page (superusers only)

SETUP = "/setup/organization/"


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@platform.example", "root-pass-123456")


def test_the_setup_page_is_for_superusers_only(client, admin, superuser):
    assert client.get(SETUP).status_code == 302  # anonymous: to the login page
    client.force_login(admin.user)
    assert client.get(SETUP).status_code == 404  # an organization's admin is no superuser
    assert client.post(SETUP, {"name": "X", "admin_email": "x@x.example"}).status_code == 404
    assert not Organization.objects.filter(name="X").exists()
    client.force_login(superuser)
    page = client.get(SETUP)
    assert page.status_code == 200 and "Start an organization" in page.content.decode()
    fr = client.get(SETUP, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Créer une organisation" in fr
    assert client.put(SETUP).status_code == 405


def test_the_setup_page_creates_the_organization_and_emails_the_admin(
    client, superuser, django_capture_on_commit_callbacks
):
    from django.core import mail

    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            SETUP,
            {
                "name": "Globex",
                "admin_email": "Ada@Globex.example",
                "admin_name": "Ada",
                "language": "en",
            },
        )
    assert response.status_code == 200
    assert "ada@globex.example is its administrator" in response.content.decode()
    org = Organization.objects.get(slug="globex")
    membership = Membership.objects.get(organization=org, user__email="ada@globex.example")
    assert can(membership, "org.manage")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@globex.example"]
    assert "/password/reset/" in str(mail.outbox[0].body)
    # The superuser does not become a member.
    assert not Membership.objects.filter(user=superuser).exists()


def test_the_setup_page_shows_errors(client, superuser):
    factories.make_user("taken@globex.example")
    client.force_login(superuser)
    response = client.post(
        SETUP, {"name": "Globex", "admin_email": "taken@globex.example", "language": "fr"}
    )
    assert response.status_code == 400
    assert "This address already has an account." in response.content.decode()
    response = client.post(SETUP, {"name": "", "admin_email": "nope", "language": "fr"})
    assert response.status_code == 400
    assert not Organization.objects.filter(name="Globex").exists()


def test_expired_and_used_invitations_are_not_pending(admin, org):
    import datetime as dt

    from portevoix.accounts import services
    from portevoix.accounts.models import Invitation
    from portevoix.core import clock

    first = services.invitation_create(actor=admin, email="a@acme.test").invitation
    services.invitation_create(actor=admin, email="b@acme.test")
    third = services.invitation_create(actor=admin, email="c@acme.test").invitation
    Invitation.objects.filter(pk=first.pk).update(expires_at=clock.now() - dt.timedelta(days=1))
    services.invitation_revoke(actor=admin, invitation=third)
    assert selectors.people_overview(membership=admin).pending_invitations == 1
