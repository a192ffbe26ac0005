"""The bounce webhook: POST /hooks/email/bounce with the shared secret marks addresses
suppressed, and nothing is sent to them any more."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core import mail
from django.test import Client, override_settings

from portevoix.core import clock
from portevoix.notifications.mail import services
from portevoix.notifications.models_mail import DigestRun, EmailSuppression
from tests.factories import make_live_item

pytestmark = pytest.mark.django_db
SECRET = "bounce-secret-for-tests-0123456789"


def post(body: object, secret: str | None = SECRET):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return Client().post(
        "/hooks/email/bounce", json.dumps(body), content_type="application/json", headers=headers
    )


@override_settings(EMAIL_BOUNCE_SECRET=SECRET)
def test_a_bounce_with_the_secret_suppresses_the_address_and_stops_sending(
    org, manager, approver, ambassador
):
    response = post({"email": "Ambassador@acme.test", "reason": "bounce"})
    assert response.status_code == 200 and response.json() == {"suppressed": 1, "new": 1}
    assert EmailSuppression.objects.filter(email="ambassador@acme.test").exists()
    assert post({"emails": ["ambassador@acme.test"]}).json()["new"] == 0  # once
    make_live_item(manager, approver)
    now = clock.now()
    run = DigestRun.objects.create(
        organization=org,
        frequency="weekly",
        period="b",
        started_at=now,
        since=now - dt.timedelta(days=7),
        touched_at=now,
    )
    mail.outbox.clear()
    services.digest_batch_run(run_id=run.pk, queue_next=lambda _pk: None)
    assert [m for m in mail.outbox if "ambassador@acme.test" in m.to] == []


@override_settings(EMAIL_BOUNCE_SECRET=SECRET)
@pytest.mark.parametrize("secret", ["wrong-secret", None, SECRET[:-1]])
def test_a_wrong_or_missing_secret_is_refused(secret):
    assert post({"email": "x@acme.test"}, secret).status_code == 403
    assert not EmailSuppression.objects.exists()


@override_settings(EMAIL_BOUNCE_SECRET=SECRET)
def test_a_bad_body_is_refused_and_get_is_not_allowed():
    assert post({"email": "not-an-address"}).status_code == 400
    assert post(["x@acme.test"]).status_code == 400
    assert Client().get("/hooks/email/bounce").status_code == 405


@override_settings(EMAIL_BOUNCE_SECRET="")
def test_without_a_configured_secret_the_hook_does_not_exist():
    assert post({"email": "x@acme.test"}, "").status_code == 404
