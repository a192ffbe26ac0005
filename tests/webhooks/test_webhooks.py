"""Outgoing webhooks without a network: the signature (the specification's test vector and
the standardwebhooks library's verify), the endpoints' settings (https only, no private
address, the secret sealed and shown once, audited), the pages' access rules, events queued
once per endpoint, retries on a fixed clock, a redirect not followed, and the endpoint
turned off after repeated failures. Deliveries to a real receiver: test_receiver.py."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from django.test import Client
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from portevoix.accounts import services as account_services
from portevoix.accounts import signals as account_signals
from portevoix.accounts.models import Membership
from portevoix.content import signals as content_signals
from portevoix.core import crypto
from portevoix.core.errors import DomainError, PermissionDenied
from portevoix.governance import signals as governance_signals
from portevoix.governance.models import AuditEntry
from portevoix.notifications.models import Kind, Notification
from portevoix.sharing import signals as sharing_signals
from portevoix.webhooks import delivery, events, receivers, services
from portevoix.webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from tests import factories

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.example.com/portevoix"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _hook_host_resolves(settings):
    """The fast tier resolves no name: the example receiver's host is let in as the local
    peers are (the guard still refuses any other)."""
    settings.SOCIAL_ALLOWED_PRIVATE_HOSTS = [
        *settings.SOCIAL_ALLOWED_PRIVATE_HOSTS,
        "hooks.example.com",
    ]


class Answers:
    """An httpx transport that answers with the statuses given, in turn, and keeps the
    requests (the delivery module's client is built with it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *statuses: int, location: str = ""):
        self.statuses = list(statuses)
        self.requests: list[httpx.Request] = []
        self.location = location
        real = delivery.base.http_client

        def client(**kwargs: Any) -> httpx.Client:
            return real(transport=httpx.MockTransport(self.answer), **kwargs)

        monkeypatch.setattr(delivery.base, "http_client", client)

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        headers = {"location": self.location} if self.location else {}
        return httpx.Response(status, text="x" * 5000, headers=headers)


def _endpoint(admin, types=("content.item_live",), **kwargs) -> tuple[WebhookEndpoint, str]:
    data = services.EndpointData(url=kwargs.pop("url", HOOK), event_types=list(types), **kwargs)
    return services.endpoint_create(actor=admin, data=data)


def _live(org, item_id=7) -> list[int]:
    event = receivers.item_went_live(organization_id=org.pk, item_id=item_id)[0]
    return services.event_publish(event)


# --------------------------------------------------------------------------- signature


def test_the_signature_matches_the_specifications_test_vector():
    # The example of the Standard Webhooks specification (spec/standard-webhooks.md).
    headers = delivery.signed_headers(
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        event_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        at=dt.datetime.fromtimestamp(1614265330, tz=dt.UTC),
        body='{"test": 2432232314}',
    )
    assert headers["webhook-timestamp"] == "1614265330"
    assert headers["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_what_is_sent_verifies_with_the_library_and_fails_with_another_secret(
    admin, monkeypatch, django_capture_on_commit_callbacks
):
    endpoint, secret = _endpoint(admin)
    answers = Answers(monkeypatch, 204)
    with django_capture_on_commit_callbacks(execute=True):
        _live(admin.organization)
    (request,) = answers.requests
    headers = dict(request.headers)
    payload = Webhook(secret).verify(request.content, headers)
    assert payload["type"] == "content.item_live"
    assert payload["data"] == {"item_id": 7, "url": "http://127.0.0.1:8000/library/7/"}
    with pytest.raises(Exception, match="signature"):
        Webhook(services.new_secret()).verify(request.content, headers)
    row = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (row.state, row.attempts, row.response_status) == (DeliveryState.DELIVERED, 1, 204)
    assert headers["webhook-id"] == row.event_id


# --------------------------------------------------------------------------- settings


def test_an_endpoint_gets_a_sealed_secret_shown_once_and_every_change_is_audited(admin):
    endpoint, secret = _endpoint(admin, description="CRM")
    assert secret.startswith("whsec_") and len(Webhook(secret)._whsecret) == 32
    assert secret not in endpoint.secret_sealed
    assert crypto.decrypt(endpoint.secret_sealed) == secret
    rotated = services.secret_rotate(actor=admin, endpoint=endpoint)
    assert rotated != secret
    endpoint.refresh_from_db()
    assert services.endpoint_secret(endpoint) == rotated
    data = services.EndpointData(url=HOOK + "/v2", event_types=["sharing.share_posted"])
    services.endpoint_update(actor=admin, endpoint=endpoint, data=data)
    data.enabled = False
    services.endpoint_update(actor=admin, endpoint=endpoint, data=data)
    data.enabled = True
    services.endpoint_update(actor=admin, endpoint=endpoint, data=data)
    services.endpoint_update(
        actor=admin, endpoint=endpoint, data=services.EndpointData(HOOK, ["sharing.share_posted"])
    )
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [
        "webhooks.endpoint_created",
        "webhooks.secret_rotated",
        "webhooks.endpoint_changed",
        "webhooks.endpoint_disabled",
        "webhooks.endpoint_enabled",
        "webhooks.endpoint_changed",
    ]
    entries = AuditEntry.objects.values_list("before", "after")
    assert not any(secret in json.dumps(e) or rotated in json.dumps(e) for e in entries)
    assert AuditEntry.objects.filter(actor=admin.user).count() == 6
    assert services.endpoint_update(
        actor=admin, endpoint=endpoint, data=services.EndpointData(HOOK, ["sharing.share_posted"])
    )
    assert AuditEntry.objects.count() == 6  # nothing changed, nothing recorded


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "http://hooks.example.org/hook",  # not https
        "ftp://hooks.example.com/",
    ],
)
def test_a_private_or_non_https_address_is_refused(admin, url):
    with pytest.raises(DomainError) as refused:
        _endpoint(admin, url=url)
    assert "url" in refused.value.field_errors
    assert not WebhookEndpoint.objects.exists()


def test_only_admins_manage_endpoints(admin, member):
    endpoint, _secret = _endpoint(admin)
    with pytest.raises(PermissionDenied):
        _endpoint(member)
    with pytest.raises(PermissionDenied):
        services.secret_rotate(actor=member, endpoint=endpoint)


def test_the_pages_open_for_admins_only_and_never_across_organizations(admin, member, outsider):
    endpoint, secret = _endpoint(admin)
    client = Client()
    client.force_login(admin.user)
    assert client.get(reverse("webhooks:endpoints")).status_code == 200
    page = client.get(reverse("webhooks:endpoint", args=[endpoint.pk]))
    assert page.status_code == 200 and secret not in page.content.decode()
    assert (
        reverse("webhooks:endpoints") in client.get(reverse("accounts:settings")).content.decode()
    )
    client.force_login(member.user)
    assert client.get(reverse("webhooks:endpoints")).status_code == 403
    assert client.get(reverse("webhooks:endpoint", args=[endpoint.pk])).status_code == 403
    client.force_login(outsider.user)
    assert client.get(reverse("webhooks:endpoints")).status_code == 200  # their own list
    for name in ("endpoint", "rotate", "test", "delete"):
        url = reverse(f"webhooks:{name}", args=[endpoint.pk])
        assert client.post(url).status_code == 404, name
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    endpoint.refresh_from_db()
    assert services.endpoint_secret(endpoint) == secret


def test_the_pages_add_an_endpoint_show_its_secret_once_and_rotate_it(admin):
    client = Client()
    client.force_login(admin.user)
    answer = client.post(
        reverse("webhooks:endpoints"),
        {
            "url": HOOK,
            "event_types": ["content.item_live", "accounts.member_joined"],
            "enabled": "on",
        },
    )
    assert answer.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    secret = services.endpoint_secret(endpoint)
    assert secret in answer.content.decode()
    assert answer["Cache-Control"].startswith("max-age=0")
    assert (
        secret not in client.get(reverse("webhooks:endpoint", args=[endpoint.pk])).content.decode()
    )
    rotated = client.post(reverse("webhooks:rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert services.endpoint_secret(endpoint) in rotated.content.decode()
    refused = client.post(
        reverse("webhooks:endpoints"),
        {"url": "https://10.1.2.3/", "event_types": ["content.item_live"]},
    )
    assert refused.status_code == 200 and WebhookEndpoint.objects.count() == 1


def test_the_test_button_sends_a_test_event_and_the_log_shows_it(admin, monkeypatch):
    endpoint, _secret = _endpoint(admin)
    answers = Answers(monkeypatch, 500)
    client = Client()
    client.force_login(admin.user)
    with_callbacks = client.post(reverse("webhooks:test", args=[endpoint.pk]))
    assert with_callbacks.status_code == 302
    row = WebhookDelivery.objects.get()
    assert row.event_type == events.TEST_EVENT
    delivery.delivery_attempt(delivery_id=row.pk)
    assert len(answers.requests) == 1
    row.refresh_from_db()
    assert (row.state, row.response_status) == (DeliveryState.FAILED, 500)  # a test is not retried
    assert len(row.response_excerpt) == delivery.EXCERPT
    page = client.get(reverse("webhooks:endpoint", args=[endpoint.pk])).content.decode()
    assert "webhook.test" in page and "500" in page
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0  # tests do not count


# --------------------------------------------------------------------------- events


def test_the_same_event_is_delivered_once_per_endpoint_even_announced_twice(
    admin, monkeypatch, django_capture_on_commit_callbacks
):
    first, _s = _endpoint(admin)
    second, _s = _endpoint(admin, types=["content.item_live", "sharing.share_posted"])
    _endpoint(admin, types=["sharing.share_posted"])  # not subscribed
    answers = Answers(monkeypatch, 200)
    org = admin.organization
    with django_capture_on_commit_callbacks(execute=True):
        for _twice in range(2):
            content_signals.item_went_live.send(
                sender=None, organization_id=org.pk, item_id=9, important=False
            )
    rows = WebhookDelivery.objects.order_by("endpoint_id")
    assert [r.endpoint_id for r in rows] == [first.pk, second.pk]
    assert rows[0].event_id == rows[1].event_id
    assert len(answers.requests) == 2
    assert {r.headers["webhook-id"] for r in answers.requests} == {rows[0].event_id}


def test_other_organizations_events_and_turned_off_endpoints_get_nothing(admin, outsider):
    endpoint, _s = _endpoint(admin)
    _endpoint(outsider)
    off = services.EndpointData(HOOK, ["content.item_live"], enabled=False)
    services.endpoint_update(actor=admin, endpoint=endpoint, data=off)
    assert _live(admin.organization) == []
    assert WebhookDelivery.objects.filter(organization=admin.organization).count() == 0
    assert WebhookDelivery.objects.filter(organization=outsider.organization).count() == 0


def test_every_announced_event_is_queued_with_ids_only(admin, django_capture_on_commit_callbacks):
    _endpoint(admin, types=list(events.EVENT_TYPES))
    org = admin.organization
    # Sharing's and publishing's signals also reach recognition and notifications, which
    # would look for these rows: the webhooks' receivers are called as the signals would.
    announce = {
        build.__name__: receiver
        for build, receiver in zip(
            [b for _s, b in receivers._CONNECTIONS], receivers.RECEIVERS, strict=True
        )
    }
    announce["share_posted"](
        None,
        organization_id=org.pk,
        membership_id=admin.pk,
        share_id=3,
        network="linkedin",
        personalized=True,
        at=T0,
        text_hash="abc",
    )
    announce["conversion_recorded"](
        None, organization_id=org.pk, membership_id=admin.pk, conversion_id=4, network="x", at=T0
    )
    for state in ("published", "failed", "cancelled"):
        announce["post_finished"](
            None, organization_id=org.pk, membership_id=admin.pk, post_id=5, state=state
        )
    with django_capture_on_commit_callbacks(execute=True):
        from portevoix.publishing.services import managers

        pause = managers.pause_start(actor=admin, reason="Crisis")
        managers.pause_end(actor=admin, pause_id=pause.pk)
        governance_signals.moderation_decided.send(
            sender=None,
            organization_id=org.pk,
            case_id=6,
            source="report",
            status="removed",
            author_id=admin.pk,
        )
        user = factories.make_member(factories.make_org("Elsewhere"), email="new@acme.test").user
        joined = account_services.membership_add(organization=org, user=user)
        account_signals.ambassador_withdrew.send(
            sender=None, organization_id=org.pk, membership_id=joined.pk
        )
    bodies = {
        r.event_type: json.loads(r.body)["data"]
        for r in WebhookDelivery.objects.filter(organization=org)
    }
    assert bodies == {
        "sharing.share_posted": {"share_id": 3, "network": "linkedin", "personalized": True},
        "sharing.conversion_recorded": {"conversion_id": 4, "network": "x"},
        "publishing.post_published": {"post_id": 5},
        "publishing.post_failed": {"post_id": 5},
        "publishing.paused": {
            "pause_id": pause.pk,
            "campaign_id": None,
            "url": "http://127.0.0.1:8000/publishing/pause/",
        },
        "publishing.resumed": {
            "pause_id": pause.pk,
            "campaign_id": None,
            "url": "http://127.0.0.1:8000/publishing/pause/",
        },
        "moderation.case_decided": {"case_id": 6, "source": "report", "status": "removed"},
        "accounts.member_joined": {"membership_id": joined.pk},
        "accounts.ambassador_withdrew": {"membership_id": joined.pk},
    }
    assert "@" not in "".join(WebhookDelivery.objects.values_list("body", flat=True))


def test_a_moderation_case_opened_by_a_report_is_an_event(
    admin, approver, ambassador, django_capture_on_commit_callbacks
):
    from portevoix.governance.models import ModerationCase
    from portevoix.governance.services import moderation

    _endpoint(admin, types=["moderation.case_opened"])
    item = factories.make_live_item(admin, approver)
    WebhookDelivery.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.moderation_report(membership=ambassador, item_id=item.pk, reason="Off-topic")
    case = ModerationCase.objects.get()
    (row,) = WebhookDelivery.objects.all()
    assert json.loads(row.body)["data"] == {"case_id": case.pk, "source": case.source}


def test_click_milestones_are_sent_once_each(admin, monkeypatch):
    assert events.click_milestones(0, 9) == []
    assert events.click_milestones(9, 10) == [10]
    assert events.click_milestones(5, 1500) == [10, 100, 1000]
    assert events.click_milestones(10, 99) == []
    _endpoint(admin, types=["sharing.clicks_milestone"])
    org = admin.organization
    totals = iter([11, 11, 101])  # the item's clicks after each batch
    monkeypatch.setattr(receivers.sharing_selectors, "items_of_links", lambda ids: {1: 42})
    monkeypatch.setattr(receivers.sharing_selectors, "item_click_total", lambda **kw: next(totals))
    click = sharing_signals.CountedClick(org.pk, admin.pk, 1, "x", "c1", T0)
    for batch in ([click, click], [click, click], [click, click]):  # 9 -> 11, again, 99 -> 101
        sharing_signals.clicks_counted.send(sender=None, clicks=batch)
    data = [json.loads(b)["data"] for b in WebhookDelivery.objects.values_list("body", flat=True)]
    assert sorted(d["clicks"] for d in data) == [10, 100]
    assert {d["item_id"] for d in data} == {42}


def test_a_failing_receiver_never_breaks_the_change_that_announced_it(admin, monkeypatch):
    _endpoint(admin)

    def broken(event):
        raise RuntimeError("boom")

    monkeypatch.setattr(receivers.services, "event_publish", broken)
    content_signals.item_went_live.send(
        sender=None, organization_id=admin.organization_id, item_id=1, important=False
    )


# --------------------------------------------------------------------------- retries


def _claimable(admin, monkeypatch) -> WebhookDelivery:
    monkeypatch.setattr(delivery.clock, "now", lambda: T0)
    monkeypatch.setattr(services.clock, "now", lambda: T0)
    _endpoint(admin)
    (pk,) = _live(admin.organization)
    return WebhookDelivery.objects.get(pk=pk)


def test_failures_are_retried_with_backoff_for_a_day_then_the_delivery_fails(admin, monkeypatch):
    row = _claimable(admin, monkeypatch)
    answers = Answers(monkeypatch, 503)
    now = T0
    seen = []
    for _attempt in range(delivery.MAX_ATTEMPTS):
        assert delivery.due_delivery_ids(now=now) == [row.pk]
        assert (
            delivery.delivery_attempt(delivery_id=row.pk, now=now - dt.timedelta(seconds=1))
            == "skipped"
        )
        outcome = delivery.delivery_attempt(delivery_id=row.pk, now=now)
        row.refresh_from_db()
        seen.append(outcome)
        if row.next_attempt_at:
            assert delivery.due_delivery_ids(now=now) == []
            now = row.next_attempt_at
    assert seen == ["retry"] * (delivery.MAX_ATTEMPTS - 1) + ["failed"]
    assert now - T0 == sum(delivery.RETRY_DELAYS, dt.timedelta()) == dt.timedelta(hours=24)
    assert (row.state, row.attempts, row.response_status) == (DeliveryState.FAILED, 8, 503)
    assert len(answers.requests) == delivery.MAX_ATTEMPTS
    assert (
        delivery.delivery_attempt(delivery_id=row.pk, now=now + dt.timedelta(days=9)) == "skipped"
    )
    # The same bytes are signed at every attempt, with the same id.
    assert len({r.content for r in answers.requests}) == 1
    assert len({r.headers["webhook-id"] for r in answers.requests}) == 1


def test_a_retry_that_succeeds_is_delivered(admin, monkeypatch):
    row = _claimable(admin, monkeypatch)
    Answers(monkeypatch, 500, 202)
    assert delivery.delivery_attempt(delivery_id=row.pk, now=T0) == "retry"
    row.refresh_from_db()
    assert row.next_attempt_at == T0 + dt.timedelta(seconds=5)
    assert delivery.delivery_attempt(delivery_id=row.pk, now=row.next_attempt_at) == "delivered"
    row.refresh_from_db()
    assert (row.state, row.attempts, row.next_attempt_at) == (DeliveryState.DELIVERED, 2, None)


def test_a_redirect_is_not_followed(admin, monkeypatch):
    row = _claimable(admin, monkeypatch)
    answers = Answers(monkeypatch, 302, location="https://hooks.example.com/elsewhere")
    assert delivery.delivery_attempt(delivery_id=row.pk, now=T0) == "retry"
    assert [str(r.url) for r in answers.requests] == [HOOK]
    row.refresh_from_db()
    assert (row.response_status, row.response_excerpt) == (302, "redirect not followed")


def test_after_five_failed_deliveries_in_a_row_the_endpoint_is_turned_off(
    admin, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(delivery, "RETRY_DELAYS", ())
    monkeypatch.setattr(delivery, "MAX_ATTEMPTS", 1)
    endpoint, _s = _endpoint(admin)
    plain = factories.make_member(admin.organization, email="plain@acme.test")
    answers = Answers(monkeypatch, 500)
    for item_id in range(1, delivery.AUTO_DISABLE_AFTER + 2):
        for pk in _live(admin.organization, item_id=item_id):
            with django_capture_on_commit_callbacks(execute=True):
                delivery.delivery_attempt(delivery_id=pk)
    endpoint.refresh_from_db()
    # The admins (the organization's owner and this one) are told, once each, with a link to
    # the endpoint; nobody else.
    notices = Notification.objects.filter(kind=Kind.WEBHOOK_DISABLED).order_by("pk")
    owner = (
        Membership.objects.filter(organization=admin.organization)
        .exclude(pk__in=[admin.pk, plain.pk])
        .get()
    )
    assert sorted(n.membership_id for n in notices) == sorted([owner.pk, admin.pk])
    assert notices[0].url == reverse("webhooks:endpoint", args=[endpoint.pk])
    assert "échoué 5 fois de suite" in notices[0].body  # in the organization's language
    assert not Notification.objects.filter(membership=plain).exists()
    assert not endpoint.enabled and endpoint.auto_disabled_at is not None
    assert len(answers.requests) == delivery.AUTO_DISABLE_AFTER
    entry = AuditEntry.objects.get(action="webhooks.endpoint_auto_disabled")
    assert entry.actor is None and entry.object_id == str(endpoint.pk)
    client = Client()
    client.force_login(admin.user)
    page = client.get(reverse("webhooks:endpoint", args=[endpoint.pk])).content.decode()
    assert "5 deliveries in a row failed" in page
    # Turned on again by an admin: the count starts afresh.
    services.endpoint_update(
        actor=admin,
        endpoint=endpoint,
        data=services.EndpointData(HOOK, ["content.item_live"], enabled=True),
    )
    endpoint.refresh_from_db()
    assert (
        endpoint.enabled
        and endpoint.consecutive_failures == 0
        and endpoint.auto_disabled_at is None
    )


def test_a_delivered_event_resets_the_count_of_failures(admin, monkeypatch):
    monkeypatch.setattr(delivery, "MAX_ATTEMPTS", 1)
    endpoint, _s = _endpoint(admin)
    Answers(monkeypatch, 500, 500, 200, 500)
    for item_id in range(1, 5):
        for pk in _live(admin.organization, item_id=item_id):
            delivery.delivery_attempt(delivery_id=pk)
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.consecutive_failures == 1


def test_the_minute_schedule_sends_the_retries_that_are_due(admin, monkeypatch):
    from config import schedule

    row = _claimable(admin, monkeypatch)
    answers = Answers(monkeypatch, 500, 200)
    monkeypatch.setattr(delivery.clock, "now", lambda: T0 + dt.timedelta(minutes=1))
    assert schedule.webhooks_due.call_local() == 1  # the first attempt (queued on commit)
    assert schedule.webhooks_due.call_local() == 0  # its retry is 5 s later: not yet
    monkeypatch.setattr(delivery.clock, "now", lambda: T0 + dt.timedelta(minutes=2))
    assert schedule.webhooks_due.call_local() == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, len(answers.requests)) == (DeliveryState.DELIVERED, 2, 2)
