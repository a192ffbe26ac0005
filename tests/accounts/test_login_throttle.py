"""Login throttling (django-axes, issue 11 section 6): after LOGIN_FAILURE_LIMIT wrong
passwords the account is locked, even for the right password, with a clear message; the
lock ends after the cool-off or when an admin lifts it; and no IP address is stored."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from portevoix.accounts import selectors
from tests.factories import PASSWORD

LOGIN = reverse("accounts:login")


def _try(client: Client, email: str, password: str, *, lang: str = "en", ip: str = "203.0.113.7"):
    return client.post(
        LOGIN,
        {"username": email, "password": password},
        HTTP_ACCEPT_LANGUAGE=lang,
        REMOTE_ADDR=ip,
        HTTP_X_FORWARDED_FOR=ip,
    )


def _lock(client: Client, email: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _try(client, email, "wrong-password")
    assert response.status_code == 429


def test_the_limit_and_cool_off_are_set():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert dt.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]


def test_wrong_passwords_then_locked_with_the_message(client, member):
    email = member.user.email
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _try(client, email, "wrong-password")
        assert response.status_code == 200
        assert "Too many attempts" not in response.content.decode()
    locked = _try(client, email, "wrong-password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many attempts. Try again in 15 minutes, or reset your password." in page
    assert f'href="{reverse("accounts:password_reset")}"' in page
    assert selectors.login_locked(email)


def test_the_message_in_french(client, member):
    _lock(client, member.user.email)
    page = _try(client, member.user.email, PASSWORD, lang="fr").content.decode()
    assert "Trop de tentatives. Réessayez dans 15 minutes" in page


def test_the_right_password_is_refused_while_locked(client, member):
    _lock(client, member.user.email)
    response = _try(client, member.user.email, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address (another account) is not locked.
    assert selectors.login_locked("someone-else@acme.test") is False


def test_the_email_case_does_not_dodge_the_lock(client, member):
    for n in range(settings.AXES_FAILURE_LIMIT):
        email = member.user.email.upper() if n % 2 else member.user.email
        _try(client, email, "wrong-password")
    assert _try(client, member.user.email, PASSWORD).status_code == 429


def test_unlocked_after_the_cool_off(client, member):
    _lock(client, member.user.email)
    # Move the clock: the attempts are now older than the cool-off.
    past = dt.datetime.now(dt.UTC) - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=5)
    AccessAttempt.objects.update(attempt_time=past)
    assert not selectors.login_locked(member.user.email)
    response = _try(client, member.user.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.user.pk)


def test_a_success_resets_the_count(client, member):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _try(client, member.user.email, "wrong-password")
    assert _try(client, member.user.email, PASSWORD).status_code == 302
    Client().post(reverse("accounts:logout"))
    assert _try(Client(), member.user.email, "wrong-password").status_code == 200


def test_an_admin_unlocks_from_the_member_page(client, admin, member):
    _lock(Client(), member.user.email)
    client.force_login(admin.user)
    page = client.get(reverse("accounts:member", args=[member.pk])).content.decode()
    assert "Login locked" in page
    unlock = reverse("accounts:member_unlock", args=[member.pk])
    assert client.get(unlock).status_code == 405
    response = client.post(unlock)
    assert response.status_code == 302
    assert not selectors.login_locked(member.user.email)
    assert _try(Client(), member.user.email, PASSWORD).status_code == 302
    page = client.get(reverse("accounts:member", args=[member.pk])).content.decode()
    assert "Login locked" not in page


def test_only_an_admin_of_the_organization_unlocks(client, member, ambassador, outsider):
    _lock(Client(), ambassador.user.email)
    unlock = reverse("accounts:member_unlock", args=[ambassador.pk])
    client.force_login(member.user)
    assert client.post(unlock).status_code == 403
    client.force_login(outsider.user)
    assert client.post(unlock).status_code == 404
    assert selectors.login_locked(ambassador.user.email)


def test_the_axes_command_unlocks_too(member):
    _lock(Client(), member.user.email)
    call_command("axes_reset_username", member.user.email)
    assert not selectors.login_locked(member.user.email)


def test_no_ip_address_is_stored(client, member):
    _lock(client, member.user.email)
    _try(client, member.user.email, PASSWORD)
    # A successful login of another account (after a failure): no access log either.
    other = Client()
    _try(other, "admin-nobody@acme.test", "x")
    attempts = list(AccessAttempt.objects.all())
    assert attempts and all(a.ip_address is None for a in attempts)
    assert {a.username for a in attempts} == {member.user.email, "admin-nobody@acme.test"}
    dumped = repr([vars(a) for a in attempts])
    assert "203.0.113.7" not in dumped and "127.0.0.1" not in dumped
    assert "wrong-password" not in dumped and PASSWORD not in dumped
    assert not AccessLog.objects.exists()
    assert not AccessFailureLog.objects.exists()


def test_a_successful_login_leaves_no_row(client, member):
    assert _try(client, member.user.email, PASSWORD).status_code == 302
    assert not AccessLog.objects.exists()
    assert not AccessAttempt.objects.exists()


def test_no_ip_in_the_log_lines(client, member, caplog):
    with caplog.at_level("DEBUG", logger="axes"):
        _lock(client, member.user.email)
    assert caplog.records
    assert "203.0.113.7" not in caplog.text and member.user.email not in caplog.text


@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION"])
def test_the_api_token_is_not_throttled(client, member, header):
    """API tokens do not go through the login form: a locked account's token still works
    (the person can revoke it), and a wrong token counts no login failure."""
    from portevoix.accounts import services

    issued = services.api_token_create(membership=member, name="ci")
    _lock(Client(), member.user.email)
    response = client.get("/api/v1/me", **{header: f"Bearer {issued.secret}"})
    assert response.status_code == 200, response.content
    before = AccessAttempt.objects.count()
    assert client.get("/api/v1/me", **{header: "Bearer nope"}).status_code == 401
    assert AccessAttempt.objects.count() == before


def test_a_password_reset_lifts_the_lock(client, member, django_capture_on_commit_callbacks):
    import re

    from django.core import mail

    _lock(Client(), member.user.email)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": member.user.email})
    path = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", str(mail.outbox[0].body))
    assert path
    set_url = client.get(path.group(1), follow=True).redirect_chain[-1][0]
    client.post(
        set_url, {"new_password1": "brand-new-pass-77", "new_password2": "brand-new-pass-77"}
    )
    assert not selectors.login_locked(member.user.email)
    assert _try(Client(), member.user.email, "brand-new-pass-77").status_code == 302
