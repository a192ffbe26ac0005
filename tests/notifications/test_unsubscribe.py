"""One-click unsubscribe (RFC 8058): a signed link per member and list, no login; a GET
asks to confirm and changes nothing, a POST (without CSRF) unsubscribes; forged or expired
tokens are refused."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from portevoix.notifications.mail import selectors, tokens
from portevoix.notifications.models_mail import DigestFrequency

pytestmark = pytest.mark.django_db


def url(member, email_list="digest", **kw) -> str:
    return f"/u/{tokens.unsubscribe_token(member.pk, member.organization_id, email_list, **kw)}/"


def test_get_asks_to_confirm_and_changes_nothing(ambassador):
    response = Client().get(url(ambassador))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert selectors.choices_for(membership_id=ambassador.pk).digest == DigestFrequency.WEEKLY


def test_one_click_post_without_csrf_or_login_unsubscribes_from_that_list_only(ambassador):
    client = Client(enforce_csrf_checks=True)
    response = client.post(url(ambassador), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    choices = selectors.choices_for(membership_id=ambassador.pk)
    assert choices.digest == DigestFrequency.OFF and choices.important is True
    client.post(url(ambassador, "important"), {"List-Unsubscribe": "One-Click"})
    assert selectors.choices_for(membership_id=ambassador.pk).important is False
    # Again: still fine (idempotent).
    assert client.post(url(ambassador), {"List-Unsubscribe": "One-Click"}).status_code == 200


@pytest.mark.parametrize(
    "forge",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # altered MAC
        lambda t: "9" + t,  # another member
        lambda t: t.replace("digest", "important", 1),  # another list
        lambda t: "garbage",
    ],
)
def test_a_forged_token_is_refused_and_changes_nothing(ambassador, forge):
    token = tokens.unsubscribe_token(ambassador.pk, ambassador.organization_id, "digest")
    client = Client()
    assert client.get(f"/u/{forge(token)}/").status_code == 404
    assert client.post(f"/u/{forge(token)}/").status_code == 404
    assert selectors.choices_for(membership_id=ambassador.pk).digest == DigestFrequency.WEEKLY


def test_an_expired_token_is_refused(ambassador):
    old_day = int(time.time() // 86400) - tokens.UNSUBSCRIBE_MAX_AGE // 86400 - 2
    assert Client().post(url(ambassador, day=old_day)).status_code == 404
    assert selectors.choices_for(membership_id=ambassador.pk).digest == DigestFrequency.WEEKLY


def test_a_token_of_another_organization_changes_nothing_there(ambassador, outsider):
    token = tokens.unsubscribe_token(ambassador.pk, outsider.organization_id, "digest")
    Client().post(f"/u/{token}/")
    assert selectors.choices_for(membership_id=ambassador.pk).digest == DigestFrequency.WEEKLY
