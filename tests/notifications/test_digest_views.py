"""The pages of the digest emails: the preview (the ambassador's own, an administrator's as
a member of their organization), the administrators' list of deliveries that need attention,
and the email choices on the notification settings; member, admin, outsider each."""

from __future__ import annotations

import pytest
from django.test import Client

from portevoix.core import clock
from portevoix.notifications.mail import selectors
from portevoix.notifications.models_mail import DeliveryState, DigestFrequency, EmailDelivery
from tests.factories import PASSWORD, make_live_item

pytestmark = pytest.mark.django_db


def login(membership) -> Client:
    client = Client()
    assert client.login(email=membership.user.email, password=PASSWORD)
    return client


def test_the_ambassador_previews_their_next_digest_in_their_language(
    manager, approver, ambassador, django_assert_max_num_queries
):
    item = make_live_item(manager, approver)
    client = login(ambassador)
    ambassador.user.language = "fr"
    ambassador.user.save(update_fields=["language"])
    with django_assert_max_num_queries(40):
        response = client.get("/notifications/digest/preview/")
    body = response.content.decode()
    assert response.status_code == 200
    assert item.title in body and "Bonjour" in body and "/m/s/" in body
    english = client.get("/notifications/digest/preview/?language=en").content.decode()
    assert "Hello" in english and "ready to copy" in english


def test_the_preview_says_when_nothing_is_new(ambassador):
    response = login(ambassador).get("/notifications/digest/preview/")
    assert response.status_code == 200
    assert "/m/s/" not in response.content.decode()


def test_an_admin_previews_as_a_member_of_their_organization(
    org, admin, manager, approver, ambassador, member
):
    item = make_live_item(manager, approver)
    response = login(admin).get(f"/notifications/digest/preview/?member={ambassador.pk}")
    assert response.status_code == 200 and item.title in response.content.decode()
    # A member who is not an administrator cannot preview someone else's.
    assert (
        login(ambassador).get(f"/notifications/digest/preview/?member={admin.pk}").status_code
        == 403
    )
    # Not an ambassador: no feed, no preview of their own.
    assert login(member).get("/notifications/digest/preview/").status_code == 403


def test_an_outsider_admin_previewing_another_organizations_member_gets_404(ambassador, outsider):
    response = login(outsider).get(f"/notifications/digest/preview/?member={ambassador.pk}")
    assert response.status_code == 404


def test_admins_see_the_failed_and_suppressed_deliveries_of_their_organization_only(
    org, admin, ambassador, outsider, django_assert_max_num_queries
):
    for n, state in enumerate([DeliveryState.FAILED, DeliveryState.SUPPRESSED, DeliveryState.SENT]):
        EmailDelivery.objects.create(
            organization=org,
            key=f"digest:0:{n}",
            kind="digest",
            membership=ambassador,
            email=ambassador.user.email,
            state=state,
            attempts=5,
            last_error="SMTPDataError" if n == 0 else "",
            created_at=clock.now(),
        )
    client = login(admin)
    with django_assert_max_num_queries(25):
        response = client.get("/notifications/email/deliveries/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "SMTPDataError" in body and body.count("<tr>") == 3  # header + failed + suppressed
    assert login(ambassador).get("/notifications/email/deliveries/").status_code == 403
    outsider_page = login(outsider).get("/notifications/email/deliveries/")
    assert (
        outsider_page.status_code == 200 and "SMTPDataError" not in outsider_page.content.decode()
    )


def test_the_member_chooses_the_digest_frequency_and_the_important_emails(ambassador, outsider):
    client = login(ambassador)
    page = client.get("/notifications/settings/").content.decode()
    assert 'name="digest"' in page and 'name="important"' in page
    response = client.post("/notifications/settings/email/", {"digest": "daily"})
    assert response.status_code == 302
    choices = selectors.choices_for(membership_id=ambassador.pk)
    assert choices.digest == DigestFrequency.DAILY and choices.important is False
    client.post("/notifications/settings/email/", {"digest": "nonsense", "important": "on"})
    assert selectors.choices_for(membership_id=ambassador.pk).digest == DigestFrequency.DAILY
    assert client.get("/notifications/settings/email/").status_code == 405
    # The outsider's choices are their own.
    login(outsider).post("/notifications/settings/email/", {"digest": "off"})
    assert selectors.choices_for(membership_id=ambassador.pk).digest == DigestFrequency.DAILY
