"""Password reset by email (issue 11, section 6): one answer whatever the address, the
email goes through the queue on commit with no secret in it, the link works once and
expires, and nothing is sent for an unknown or deactivated account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from portevoix.accounts import services
from portevoix.accounts.models import User
from tests import factories

RESET = reverse("accounts:password_reset")
SENT = reverse("accounts:password_reset_done")
NEW_PASSWORD = "a-new-long-passphrase-42"


def _ask(client: Client, email: str, capture, *, lang: str = "en"):
    with capture(execute=True):
        return client.post(RESET, {"email": email}, HTTP_ACCEPT_LANGUAGE=lang)


def _link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/password/reset/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_login_page_links_to_the_reset_page(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{RESET}"' in page
    assert "Forgot your password?" in page
    page_fr = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Mot de passe oublié ?" in page_fr


def test_the_reset_page_in_both_languages(client):
    assert "Reset your password" in client.get(RESET).content.decode()
    fr = client.get(RESET, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Réinitialiser votre mot de passe" in fr


def test_the_same_answer_whether_the_address_exists_or_not(
    client, member, django_capture_on_commit_callbacks
):
    known = _ask(client, member.user.email, django_capture_on_commit_callbacks)
    unknown = _ask(client, "nobody@nowhere.test", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == SENT
    assert len(mail.outbox) == 1  # only the real account got an email
    assert mail.outbox[0].to == [member.user.email]
    sent_page = client.get(SENT).content.decode()
    assert "If an account uses this address" in sent_page


def test_the_email_goes_out_through_the_queue_on_commit_without_the_token(
    member, django_capture_on_commit_callbacks
):
    HUEY.immediate = False
    HUEY.flush()
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.password_reset_request(email=member.user.email.upper(), language="fr")
        assert len(callbacks) == 1 and not HUEY.pending()  # nothing before the commit
        callbacks[0]()
        tasks = HUEY.pending()
        assert len(tasks) == 1
        assert tasks[0].name.endswith("send_password_reset_email")
        assert tasks[0].args == (member.user.pk, "fr")  # the id only: no link, no token
        assert not mail.outbox
    finally:
        HUEY.flush()
        HUEY.immediate = True
    assert services.password_reset_email_send(user_id=member.user.pk, language="fr")
    assert "Choisissez un nouveau mot de passe" in mail.outbox[0].subject


def test_the_link_works_once(client, member, django_capture_on_commit_callbacks):
    _ask(client, member.user.email, django_capture_on_commit_callbacks)
    link = _link(str(mail.outbox[0].body))
    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    member.user.refresh_from_db()
    assert member.user.check_password(NEW_PASSWORD)
    # The same link again: refused.
    again = Client().get(link, follow=True).content.decode()
    assert "This link cannot be used" in again
    assert (
        Client()
        .post(reverse("accounts:login"), {"username": member.user.email, "password": NEW_PASSWORD})
        .status_code
        == 302
    )


def test_an_expired_link_is_refused(client, member, django_capture_on_commit_callbacks):
    _ask(client, member.user.email, django_capture_on_commit_callbacks)
    link = _link(str(mail.outbox[0].body))
    with override_settings(PASSWORD_RESET_TIMEOUT=-1):
        page = client.get(link, follow=True).content.decode()
    assert "This link cannot be used" in page
    assert "Choose a new password" not in page


def test_a_forged_link_is_refused(client, member):
    page = client.get(
        reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "abc-123"}),
        follow=True,
    )
    assert "This link cannot be used" in page.content.decode()


def test_no_email_for_an_inactive_account(client, org, django_capture_on_commit_callbacks):
    gone = factories.make_user("gone@acme.test")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    response = _ask(client, "gone@acme.test", django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == SENT
    assert not mail.outbox
    # Deactivated between the request and the sending: still nothing.
    assert services.password_reset_email_send(user_id=gone.pk, language="en") is False


def test_an_invalid_address_is_a_form_error(client):
    response = client.post(RESET, {"email": "not-an-email"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not mail.outbox


def test_wrong_method(client):
    assert client.put(RESET).status_code == 405


@pytest.mark.parametrize("path", ["/password/reset/MQ/abc-123/", "GET /password/reset/Mg/x-y/ 404"])
def test_the_reset_token_is_masked_in_log_lines(path):
    from portevoix.core.accesslog import mask_path

    masked = mask_path(path)
    assert "abc-123" not in masked and "x-y" not in masked and "***" in masked
