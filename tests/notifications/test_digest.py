"""The digest to ambassadors, with Django's locmem email backend (the real SMTP server is in
test_digest_smtp.py): who gets it, what it holds, in which language, exactly once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from portevoix.accounts import services as account_services
from portevoix.core import clock
from portevoix.notifications.mail import services, tokens
from portevoix.notifications.models_mail import (
    DeliveryState,
    DigestFrequency,
    DigestRun,
    EmailDelivery,
)
from portevoix.sharing.models import TrackedLink
from tests.factories import make_live_item, make_member

pytestmark = pytest.mark.django_db

SHARE_LINK = re.compile(r"http://[^\s\"<>]+/m/s/(\d+)/([A-Za-z0-9_-]{22})")
GO_LINK = re.compile(r"http://[^\s\"<>]+/m/g/(\d+)/([A-Za-z0-9_-]{22})")


def start(org, frequency=DigestFrequency.WEEKLY) -> DigestRun:
    """A run, not queued (the tests run its batches themselves)."""
    now = clock.now()
    return DigestRun.objects.create(
        organization=org,
        frequency=frequency,
        period="test",
        started_at=now,
        since=now - dt.timedelta(days=7),
        touched_at=now,
    )


def run_all(run: DigestRun, batch_size: int = 500) -> None:
    queued = [run.pk]
    while queued:
        queued.pop()
        services.digest_batch_run(run_id=run.pk, queue_next=queued.append, batch_size=batch_size)


def set_language(membership, language: str) -> None:
    user = membership.user
    user.language = language
    user.save(update_fields=["language"])


def test_each_ambassador_gets_new_content_in_their_language_with_their_own_links(
    org, manager, approver, ambassador
):
    english = make_member(org, email="en@acme.test", ambassador=True)
    set_language(english, "en")
    set_language(ambassador, "fr")
    item = make_live_item(manager, approver)
    run = start(org)
    mail.outbox.clear()
    run_all(run)
    by_to = {m.to[0]: m for m in mail.outbox if isinstance(m, EmailMultiAlternatives)}
    assert set(by_to) == {"ambassador@acme.test", "en@acme.test"}
    fr, en = by_to["ambassador@acme.test"], by_to["en@acme.test"]
    assert "nouvelle" in fr.subject.lower() or "nouvelles" in fr.subject.lower()
    assert "new post" in en.subject
    for message, member in ((fr, ambassador), (en, english)):
        html = str(message.alternatives[0][0])
        assert item.title in message.body and item.title in html
        links = SHARE_LINK.findall(str(message.body))
        assert links
        for org_id, token in links:
            ref = tokens.link_read(int(org_id), token)
            assert ref is not None and ref.membership_id == member.pk and ref.item_id == item.pk
        headers = message.extra_headers
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert headers["List-Unsubscribe"].startswith("<http://")
        assert headers["Message-ID"] == f"<portevoix.digest.{run.pk}.{member.pk}@localhost>"
    assert EmailDelivery.objects.filter(state=DeliveryState.SENT).count() == 2
    # The batch again (a duplicate task): nobody gets it twice.
    mail.outbox.clear()
    run_all(run)
    DigestRun.objects.filter(pk=run.pk).update(cursor=0, finished_at=None)
    run_all(run)
    assert mail.outbox == []


def test_a_share_button_resolves_to_the_members_own_tracked_link(
    client, org, manager, approver, ambassador
):
    item = make_live_item(manager, approver)
    run_all(start(org))
    [message] = [m for m in mail.outbox if m.to == ["ambassador@acme.test"]]
    org_id, token = SHARE_LINK.findall(str(message.body))[0]
    response = client.get(f"/m/s/{org_id}/{token}")
    assert response.status_code == 302
    link = TrackedLink.objects.get(membership=ambassador, item=item)
    assert link.code in response["Location"]
    org_id, token = GO_LINK.findall(str(message.body))[0]
    response = client.get(f"/m/g/{org_id}/{token}")
    assert response.status_code == 302 and response["Location"].endswith(f"/l/{link.code}")
    # Altered, or for another organization: 404.
    assert client.get(f"/m/g/{int(org_id) + 1}/{token}").status_code == 404
    altered = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    assert client.get(f"/m/g/{org_id}/{altered}").status_code == 404


def test_nothing_is_sent_when_nothing_is_new_or_everything_was_shared(
    org, manager, approver, ambassador
):
    run_all(start(org))
    assert mail.outbox == []
    assert EmailDelivery.objects.count() == 0


def test_nobody_who_withdrew_or_left_or_unsubscribed_gets_it(org, manager, approver, ambassador):
    withdrew = make_member(org, email="withdrew@acme.test", ambassador=True)
    account_services.ambassador_opt_out(membership=withdrew)
    left = make_member(org, email="left@acme.test", ambassador=True)
    left.is_active = False
    left.save(update_fields=["is_active"])
    off = make_member(org, email="off@acme.test", ambassador=True)
    services.email_preferences_update(membership=off, digest=DigestFrequency.OFF, important=True)
    bounced = make_member(org, email="Bounced@acme.test", ambassador=True)
    services.email_suppress(email="bounced@acme.test")
    make_live_item(manager, approver)
    mail.outbox.clear()
    run_all(start(org))
    assert [m.to for m in mail.outbox] == [["ambassador@acme.test"]]
    assert bounced.pk  # (suppressed by address, whatever its case)


def test_batches_of_members_each_queue_the_next(org, manager, approver):
    members = [make_member(org, ambassador=True) for _ in range(5)]
    make_live_item(manager, approver)
    run = start(org)
    mail.outbox.clear()
    queued: list[int] = []
    result = services.digest_batch_run(run_id=run.pk, queue_next=queued.append, batch_size=2)
    assert result.sent == 2 and queued == [run.pk]
    run_all(run, batch_size=2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.user.email for m in members)
    run.refresh_from_db()
    assert run.finished_at is not None


def test_important_content_going_live_is_emailed_once_to_those_who_want_it(
    org, manager, approver, ambassador, django_capture_on_commit_callbacks
):
    quiet = make_member(org, email="quiet@acme.test", ambassador=True)
    services.email_preferences_update(
        membership=quiet, digest=DigestFrequency.WEEKLY, important=False
    )
    english_only = make_member(org, email="en-only@acme.test", ambassador=True, languages=["en"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        item = make_live_item(manager, approver, important=True, language="fr")
    important = [m for m in mail.outbox if "Important" in str(m.subject)]
    assert [m.to for m in important] == [["ambassador@acme.test"]]
    [message] = important
    assert item.title in str(message.subject)
    assert message.extra_headers["Message-ID"].startswith(f"<portevoix.important.{item.pk}.")
    assert "/m/s/" in str(message.body)
    # Once per member and item: the same item again sends nothing.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.important_run_start(organization_id=org.pk, item_id=item.pk) is None
    assert mail.outbox == []
    assert english_only.pk and quiet.pk
