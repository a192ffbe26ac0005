"""Two-step verification (issue 15 part 5): set-up with a QR code and a confirming code,
recovery codes (shown once, stored hashed, single use), the login's second step (next kept,
wrong codes throttled like wrong passwords, no replay), turning it off, and the
organization's policy for its administrators (audited)."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from portevoix.accounts import services
from portevoix.accounts.models import Organization, RecoveryCode, TotpDevice
from portevoix.core import clock
from portevoix.governance.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
CODE = reverse("accounts:login_code")
SECURITY = reverse("accounts:security")
SETUP = reverse("accounts:security_setup")
NOW = dt.datetime(2026, 12, 6, 21, 0, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen(monkeypatch):
    """The clock stands still: a code's 30-second step does not end during a test."""
    moment = {"now": NOW}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def _code(secret: str, steps: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(NOW) + steps)


def _enrol(user) -> tuple[str, list[str]]:
    setup = services.two_factor_begin(user=user)
    codes = services.two_factor_confirm(user=user, code=_code(setup.secret))
    return setup.secret, codes


def _pending_secret(user) -> str:
    setup = services.two_factor_pending_setup(user)
    assert setup is not None
    return setup.secret


def _password(client: Client, email: str, next_path: str = "/me/", lang: str = "en"):
    return client.post(
        f"{LOGIN}?next={next_path}",
        {"username": email, "password": PASSWORD, "next": next_path},
        HTTP_ACCEPT_LANGUAGE=lang,
    )


def _actions(org) -> list[str]:
    return list(AuditEntry.objects.filter(organization=org).values_list("action", flat=True))


# --- Set-up


def test_set_up_scan_confirm_and_recovery_codes_shown_once(client, member, org):
    client.force_login(member.user)
    page = client.get(SECURITY).content.decode()
    assert "Two-step verification" in page and "Set up two-step verification" in page
    assert client.post(SETUP).status_code == 302
    setup_page = client.get(SETUP)
    assert setup_page["Cache-Control"] == "no-store"
    html = setup_page.content.decode()
    assert "<svg" in html and "QR code for your authenticator app" in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>")[0]
    device = TotpDevice.objects.get(user=member.user)
    secret = _pending_secret(member.user)
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    # The secret is encrypted at rest.
    assert secret not in device.secret_sealed and device.confirmed_at is None

    wrong = client.post(SETUP, {"code": "000000" if _code(secret) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert not services.two_factor_enabled(member.user)

    done = client.post(SETUP, {"code": _code(secret)})
    assert done.status_code == 200 and done["Cache-Control"] == "no-store"
    codes = re.findall(
        r"<code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code>", done.content.decode()
    )
    assert len(codes) == 10 == len(set(codes))
    assert services.two_factor_enabled(member.user)
    # Hashed: no code in clear in the table.
    stored = set(RecoveryCode.objects.filter(user=member.user).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not {c.replace("-", "") for c in codes} & stored
    assert "accounts.two_factor_on" in _actions(org)
    # The codes are not shown again.
    again = client.get(SECURITY).content.decode()
    assert codes[0] not in again and "10 unused recovery codes" in again


def test_set_up_again_while_on_is_refused(client, member):
    _enrol(member.user)
    client.force_login(member.user)
    response = client.post(SETUP)
    assert response.status_code == 302 and response["Location"] == SECURITY


# --- The login's second step


def test_without_two_factor_the_login_is_as_before(client, member):
    response = _password(client, member.user.email, "/me/")
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert "_auth_user_id" in client.session


def test_login_with_a_code_keeps_next(client, member):
    secret, _codes = _enrol(member.user)
    first = _password(client, member.user.email, "/me/tokens/")
    assert first.status_code == 302 and first["Location"] == CODE
    assert "_auth_user_id" not in client.session
    page = client.get(CODE).content.decode()
    assert 'autocomplete="one-time-code"' in page
    assert client.get(SECURITY).status_code == 302  # not logged in yet
    done = client.post(CODE, {"code": _code(secret, 1)})
    assert done.status_code == 302 and done["Location"] == "/me/tokens/"
    assert client.session["_auth_user_id"] == str(member.user.pk)


def test_an_unsafe_next_goes_home(client, member):
    secret, _codes = _enrol(member.user)
    _password(client, member.user.email, "https://evil.example/")
    done = client.post(CODE, {"code": _code(secret, 1)})
    assert done.status_code == 302 and done["Location"] == reverse("home")


def test_a_wrong_code_is_refused_and_wrong_codes_lock_the_account(client, member):
    secret, _codes = _enrol(member.user)
    _password(client, member.user.email)
    right = _code(secret, 1)
    wrong = "123456" if right != "123456" else "654321"
    for _n in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(CODE, {"code": wrong})
        assert response.status_code == 200
        assert "This code is not right" in response.content.decode()
        assert "_auth_user_id" not in client.session
    locked = client.post(CODE, {"code": wrong, "next": "/me/"})
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    # The lock holds: neither the right code nor the password get in.
    assert client.post(CODE, {"code": right}).status_code == 302  # back to the password step
    assert "_auth_user_id" not in client.session
    assert _password(client, member.user.email).status_code == 429


def test_a_code_cannot_be_replayed(client, member):
    secret, _codes = _enrol(member.user)
    code = _code(secret, 1)
    _password(client, member.user.email)
    assert client.post(CODE, {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    _password(client, member.user.email)
    replay = client.post(CODE, {"code": code})
    assert replay.status_code == 200 and "_auth_user_id" not in client.session
    # Nor an earlier code of the window once a later one was used.
    assert services.two_factor_verify(user=member.user, code=_code(secret, -1)) is None


def test_a_recovery_code_works_once_and_is_audited(client, member, org):
    _secret, codes = _enrol(member.user)
    _password(client, member.user.email)
    done = client.post(CODE, {"code": codes[3].upper()}, follow=True)
    assert client.session["_auth_user_id"] == str(member.user.pk)
    assert "You logged in with a recovery code: 9 are left." in done.content.decode()
    assert "accounts.recovery_code_used" in _actions(org)
    client.post(reverse("accounts:logout"))
    _password(client, member.user.email)
    assert client.post(CODE, {"code": codes[3]}).status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_second_step_waits_ten_minutes_only(client, member, _frozen):
    secret, _codes = _enrol(member.user)
    _password(client, member.user.email)
    _frozen["now"] = NOW + dt.timedelta(minutes=11)
    response = client.post(CODE, {"code": _code(secret, 1)})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_the_second_step_without_a_password_goes_to_the_login(client):
    response = client.get(CODE)
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_the_second_step_in_french(client, member):
    _enrol(member.user)
    _password(client, member.user.email, lang="fr")
    page = client.get(CODE, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Validation en deux étapes" in page


# --- Turning it off, new recovery codes


def test_turn_off_asks_a_current_code(client, member, org):
    secret, _codes = _enrol(member.user)
    client.force_login(member.user)
    url = reverse("accounts:security_disable")
    refused = client.post(url, {"disable-code": "12345"})
    assert refused.status_code == 400 and services.two_factor_enabled(member.user)
    assert client.post(url, {"disable-code": _code(secret, 1)}).status_code == 302
    assert not services.two_factor_enabled(member.user)
    assert not RecoveryCode.objects.filter(user=member.user).exists()
    assert "accounts.two_factor_off" in _actions(org)
    # Logging in is a password again.
    client.post(reverse("accounts:logout"))
    assert _password(client, member.user.email)["Location"] == "/me/"


def test_new_recovery_codes_replace_the_old(client, member, org):
    secret, old = _enrol(member.user)
    client.force_login(member.user)
    response = client.post(
        reverse("accounts:security_recovery_codes"), {"regenerate-code": _code(secret, 1)}
    )
    assert response.status_code == 200
    new = re.findall(r"<code>([0-9a-z-]{19})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert services.two_factor_verify(user=member.user, code=old[0]) is None
    assert services.two_factor_verify(user=member.user, code=new[0]) == services.RECOVERY
    assert "accounts.recovery_codes_new" in _actions(org)


# --- The organization's policy for administrators


def test_the_policy_sends_an_admin_to_set_up_first_and_is_audited(client, admin, member, org):
    client.force_login(admin.user)
    data = {
        "name": org.name,
        "default_language": "fr",
        "approvals_required": 1,
        "review_days": 2,
        "two_factor_required_for_admins": "on",
    }
    assert client.post(reverse("accounts:org_settings"), data).status_code == 302
    org.refresh_from_db()
    assert org.two_factor_required_for_admins
    entry = AuditEntry.objects.get(organization=org, action="accounts.two_factor_policy")
    assert entry.actor_id == admin.user.pk
    assert entry.after == {"two_factor_required_for_admins": True}

    # Anything else leads to the Security page; that page, set-up and logout stay open.
    for path in ("/", reverse("accounts:members"), reverse("accounts:org_settings")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == SECURITY
    assert client.get(SECURITY).status_code == 200
    assert client.post(SETUP).status_code == 302
    secret = _pending_secret(admin.user)
    assert client.post(SETUP, {"code": _code(secret)}).status_code == 200
    assert client.get("/").status_code == 200

    # A member without a role is not concerned.
    other = Client()
    other.force_login(member.user)
    assert other.get("/").status_code == 200


def test_logout_stays_open_under_the_policy(client, admin, org):
    Organization.objects.filter(pk=org.pk).update(two_factor_required_for_admins=True)
    client.force_login(admin.user)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_policy_stays_in_its_organization(client, admin, outsider, org, other_org):
    Organization.objects.filter(pk=org.pk).update(two_factor_required_for_admins=True)
    client.force_login(outsider.user)
    assert client.get("/").status_code == 200  # another organization's admin
    # What a person does with their 2FA goes to their own organizations' logs only.
    _enrol(outsider.user)
    assert "accounts.two_factor_on" in _actions(other_org)
    assert "accounts.two_factor_on" not in _actions(org)
    # And an outsider cannot change this organization's policy: the settings are their own.
    data = {"name": "Globex", "default_language": "fr", "approvals_required": 1}
    client.post(reverse("accounts:org_settings"), data)
    org.refresh_from_db()
    assert org.two_factor_required_for_admins


def test_only_an_admin_sets_the_policy(admin, member, org):
    from portevoix.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.organization_update(
            actor=member, organization=org, two_factor_required_for_admins=True
        )
    services.organization_update(
        actor=admin, organization=org, two_factor_required_for_admins=False
    )
    assert "accounts.two_factor_policy" not in _actions(org)  # no change, no entry


def test_a_person_without_an_organization_can_set_it_up(client):
    from tests.factories import make_user

    user = make_user("alone@example.org")
    client.force_login(user)
    assert client.get(SECURITY).status_code == 200
    assert client.post(SETUP).status_code == 302
    assert client.post(SETUP, {"code": _code(_pending_secret(user))}).status_code == 200
    assert services.two_factor_enabled(user)  # audited nowhere: no organization's log
    assert not AuditEntry.objects.exists()
