"""Scheduled sending of the reports: the schedule page and service (who, audit), the due
check (once per schedule, period and recipient, even when the task runs twice), the email
(headers, HTML and text parts, the recipient's language, the PDF attached), retries with a
backoff and failures shown; and one slow test through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import email
import io
import socket
import time
from email import policy
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone
from pypdf import PdfReader

from portevoix.accounts.roles import Role
from portevoix.analytics import services_reports, tasks
from portevoix.analytics.models import DeliveryStatus, ReportDelivery
from portevoix.analytics.selectors import reports
from portevoix.core import clock
from portevoix.core.errors import DomainError, PermissionDenied
from portevoix.governance.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

# Tuesday April 7th 2026, 9:30 local: the weekly report of March 30th - April 5th is due
# at Monday 8:00; the monthly one of March on April 2nd at 8:00.
NOW = timezone.make_aware(dt.datetime(2026, 4, 7, 9, 30), timezone.get_default_timezone())


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def readers(org, admin):
    executive = factories.make_member(org, Role.EXECUTIVE, email="direction@acme.test")
    executive.user.language = "fr"
    executive.user.save(update_fields=["language"])
    analyst = factories.make_member(org, Role.ANALYST, email="analyst@acme.test")
    analyst.user.language = "en"
    analyst.user.save(update_fields=["language"])
    return executive, analyst


@pytest.fixture
def frozen(monkeypatch):
    moment = {"now": NOW}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def weekly(admin, recipients, **changes):
    data: dict[str, Any] = {"enabled": True, "weekday": 0, "day": 1, "hour": 8}
    data.update(changes)
    return services_reports.report_schedule_set(
        actor=admin,
        kind="weekly",
        data=services_reports.ScheduleData(recipient_ids=[m.pk for m in recipients], **data),
    )


class TestSchedule:
    def test_set_by_admins_and_analysts_with_an_audit_row(self, org, admin, readers):
        executive, analyst = readers
        schedule = weekly(admin, [executive, analyst])
        assert set(schedule.recipients.values_list("pk", flat=True)) == {executive.pk, analyst.pk}
        entry = AuditEntry.objects.get(action="analytics.report_schedule_changed")
        assert entry.after is not None
        assert entry.after["recipients"] == sorted([executive.pk, analyst.pk])
        weekly(analyst, [executive, analyst])  # nothing changed: no second row
        assert AuditEntry.objects.filter(action="analytics.report_schedule_changed").count() == 1
        with pytest.raises(PermissionDenied):
            weekly(executive, [executive])

    def test_recipients_must_read_the_figures(self, org, admin, ambassador, outsider):
        for wrong in (ambassador, outsider):
            with pytest.raises(DomainError) as caught:
                weekly(admin, [wrong])
            assert "recipients" in caught.value.field_errors
        with pytest.raises(DomainError):
            weekly(admin, [])  # on, but nobody to send to
        with pytest.raises(DomainError):
            weekly(admin, [admin], hour=24)

    def test_the_page(self, org, admin, readers, ambassador, outsider):
        executive, _analyst = readers
        client = client_for(admin)
        page = client.get("/analytics/reports/schedules/")
        assert page.status_code == 200
        assert f'name="weekly-recipients" value="{executive.pk}"' in page.content.decode()
        assert f'name="weekly-recipients" value="{ambassador.pk}"' not in page.content.decode()
        response = client.post(
            "/analytics/reports/schedules/monthly/",
            {
                "monthly-enabled": "on",
                "monthly-day": "3",
                "monthly-hour": "9",
                "monthly-recipients": [executive.pk],
            },
        )
        assert response.status_code == 302
        state = {s.kind: s for s in reports.schedules(membership=admin)}["monthly"]
        assert state.schedule.enabled and state.schedule.day == 3
        assert state.recipient_ids == [executive.pk]
        # Another organization's member as recipient: refused with the form's error.
        refused = client.post(
            "/analytics/reports/schedules/monthly/",
            {
                "monthly-enabled": "on",
                "monthly-day": "3",
                "monthly-hour": "9",
                "monthly-recipients": [outsider.pk],
            },
        )
        assert refused.status_code == 400
        assert client.post("/analytics/reports/schedules/yearly/").status_code == 404
        assert client_for(executive).get("/analytics/reports/schedules/").status_code == 403
        assert (
            client_for(outsider)
            .post("/analytics/reports/schedules/weekly/", {"weekly-hour": "8"})
            .status_code
            == 400
        )  # their own organization's form (weekday missing), never Acme's
        assert reports.schedules(membership=admin)[0].recipient_ids == []


class TestSending:
    def test_due_reports_go_once_in_each_language(self, org, admin, readers, frozen, dataset):
        executive, analyst = readers
        weekly(admin, [executive, analyst])
        assert tasks.send_due_reports.call_local() == 2
        assert tasks.send_due_reports.call_local() == 0  # the task again: nothing more
        assert len(mail.outbox) == 2
        by_to = {m.to[0]: m for m in mail.outbox}
        french, english = by_to["direction@acme.test"], by_to["analyst@acme.test"]
        assert french.subject.startswith("Rapport hebdomadaire")
        assert english.subject == "Weekly team report: 2026-03-30 to 2026-04-05"
        assert english.extra_headers["Auto-Submitted"] == "auto-generated"
        assert "Top content" in english.body and "Item two" in english.body
        assert isinstance(english, mail.EmailMultiAlternatives)
        html, kind = english.alternatives[0]
        assert kind == "text/html" and "<h1" in str(html) and "Top ambassadors" in str(html)
        name, pdf, mimetype = english.attachments[0]
        assert name == "portevoix-weekly-report-2026-03-30.pdf" and mimetype == "application/pdf"
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert "Weekly team report" in text
        french_pdf = PdfReader(io.BytesIO(french.attachments[0][1])).pages[0].extract_text()
        assert "Rapport hebdomadaire" in french_pdf
        rows = ReportDelivery.objects.all()
        assert {r.status for r in rows} == {DeliveryStatus.SENT} and len(rows) == 2

    def test_not_before_the_moment(self, org, admin, readers, frozen):
        weekly(admin, [readers[0]], weekday=2)  # Wednesday 8:00: not yet on Tuesday
        assert services_reports.reports_prepare_due(now=NOW) == []
        later = NOW + dt.timedelta(days=1)
        assert len(services_reports.reports_prepare_due(now=later)) == 1

    def test_a_claimed_delivery_is_not_sent_twice(self, org, admin, readers, frozen):
        weekly(admin, [readers[1]])
        [delivery_id] = services_reports.reports_prepare_due(now=NOW)
        assert services_reports.report_delivery_send(delivery_id=delivery_id) == "sent"
        assert services_reports.report_delivery_send(delivery_id=delivery_id) == "not_due"
        assert len(mail.outbox) == 1

    def test_a_failure_waits_then_fails_and_shows(self, org, admin, readers, frozen, monkeypatch):
        weekly(admin, [readers[1]])

        def broken(self, *args, **kwargs):
            raise ConnectionRefusedError("no server at smtp for analyst@acme.test")

        monkeypatch.setattr(mail.EmailMultiAlternatives, "send", broken)
        [delivery_id] = services_reports.reports_prepare_due(now=NOW)
        assert services_reports.report_delivery_send(delivery_id=delivery_id) == "pending"
        delivery = ReportDelivery.objects.get(pk=delivery_id)
        assert delivery.next_attempt_at == NOW + dt.timedelta(hours=1)
        assert "analyst@acme.test" not in delivery.last_error
        assert services_reports.report_delivery_send(delivery_id=delivery_id) == "not_due"
        for _attempt in range(2, services_reports.MAX_ATTEMPTS + 1):
            frozen["now"] = ReportDelivery.objects.get(pk=delivery_id).next_attempt_at
            status = services_reports.report_delivery_send(delivery_id=delivery_id)
        delivery.refresh_from_db()
        assert status == "failed" and delivery.attempts == services_reports.MAX_ATTEMPTS
        assert frozen["now"] - NOW == dt.timedelta(hours=1 + 2 + 4 + 8)
        page = client_for(admin).get("/analytics/reports/schedules/").content.decode()
        assert "1 sending failed." in page and "ConnectionRefusedError" in page

    def test_a_claim_left_by_a_killed_worker_is_taken_again_later(
        self, org, admin, readers, frozen
    ):
        weekly(admin, [readers[1]])
        [delivery_id] = services_reports.reports_prepare_due(now=NOW)
        ReportDelivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.SENDING, claimed_at=NOW, attempts=1
        )
        assert services_reports.reports_prepare_due(now=NOW) == []  # still being sent
        assert services_reports.report_delivery_send(delivery_id=delivery_id) == "not_due"
        frozen["now"] = NOW + services_reports.STALE_AFTER + dt.timedelta(minutes=1)
        assert services_reports.reports_prepare_due(now=frozen["now"]) == [delivery_id]
        assert services_reports.report_delivery_send(delivery_id=delivery_id) == "sent"
        assert len(mail.outbox) == 1

    def test_a_recipient_who_lost_the_role_is_skipped(self, org, admin, readers, frozen):
        executive, _analyst = readers
        weekly(admin, [executive])
        executive.is_active = False
        executive.save(update_fields=["is_active"])
        [delivery_id] = services_reports.reports_prepare_due(now=NOW)
        assert services_reports.report_delivery_send(delivery_id=delivery_id) == "skipped"
        assert mail.outbox == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_report_through_a_real_smtp_server(org, admin, readers, frozen, dataset):
    from aiosmtpd.controller import Controller

    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope.content)
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
        ):
            weekly(admin, [readers[0]])
            assert tasks.send_due_reports.call_local() == 1
            assert tasks.send_due_reports.call_local() == 0
        deadline = time.monotonic() + 5
        while not received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        controller.stop()
    assert len(received) == 1
    message = email.message_from_bytes(received[0], policy=policy.default)
    assert message["To"] == "direction@acme.test"
    assert str(message["Subject"]).strip().startswith("Rapport hebdomadaire")
    assert message["Auto-Submitted"] == "auto-generated"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert "Contenus les plus performants" in parts["text/plain"].get_content()
    assert "<h1" in parts["text/html"].get_content()
    pdf = parts["application/pdf"].get_content()
    assert "Rapport hebdomadaire" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
