"""The Slack and Teams page: admins and community managers manage channels and the Slack
app (webhook and secrets sealed, never shown again, audit rows); a member gets 403; an
outsider 404 on another organization's channel; wrong methods 405; CSRF on the forms."""

from __future__ import annotations

import pytest
from django.test import Client

from portevoix.accounts.roles import Role
from portevoix.governance.models import AuditEntry
from portevoix.notifications.chat import delivery
from portevoix.notifications.models_chat import ChatConnection, ChatDelivery, SlackApp
from tests import factories
from tests.factories import PASSWORD
from tests.notifications.chat_helpers import channel

pytestmark = pytest.mark.django_db

WEBHOOK = "https://hooks.example.com/services/T000/B000/XXXXSECRET"


@pytest.fixture(autouse=True)
def posted(monkeypatch):
    calls: list[tuple[str, dict]] = []

    def fake_post(url, payload, now):
        calls.append((url, payload))
        return "sent", 200, None

    monkeypatch.setattr(delivery, "_post", fake_post)
    return calls


def login(membership) -> Client:
    client = Client()
    assert client.login(email=membership.user.email, password=PASSWORD)
    return client


def add(client: Client, **overrides):
    data = {
        "kind": "slack",
        "name": "#ambassadors",
        "webhook_url": WEBHOOK,
        "events": ["live", "goal"],
    }
    data.update(overrides)
    return client.post("/notifications/chat/", data)


def test_an_admin_adds_a_channel_sealed_and_audited(org, admin):
    client = login(admin)
    assert client.get("/notifications/chat/").status_code == 200
    response = add(client)
    assert response.status_code == 302 and response["Location"] == "/notifications/chat/"
    connection = ChatConnection.objects.get()
    assert connection.organization_id == org.pk and connection.events == ["goal", "live"]
    assert "XXXXSECRET" not in connection.webhook_sealed
    assert connection.webhook_host == "hooks.example.com"
    page = client.get("/notifications/chat/").content.decode()
    assert "#ambassadors" in page and "hooks.example.com" in page and "XXXXSECRET" not in page
    entry = AuditEntry.objects.get(action="chat.connection_added")
    assert entry.after is not None and "XXXXSECRET" not in str(entry.after)
    assert entry.after["host"] == "hooks.example.com"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("webhook_url", "javascript:alert(1)"),
        ("webhook_url", "http://hooks.example.com/x"),  # http only for the tests' local hosts
        ("webhook_url", ""),
        ("name", ""),
        ("kind", "irc"),
        ("events", ["spam"]),
    ],
)
def test_bad_channels_are_refused(org, admin, field, value):
    response = add(login(admin), **{field: value})
    assert response.status_code == 200 and not ChatConnection.objects.exists()


def test_a_community_manager_manages_channels_a_member_does_not(org, member, ambassador):
    community = factories.make_member(org, Role.COMMUNITY_MANAGER)
    assert add(login(community)).status_code == 302
    for person in (member, ambassador):
        client = login(person)
        assert client.get("/notifications/chat/").status_code == 403
        assert add(client, name="#mine").status_code == 403
    assert ChatConnection.objects.count() == 1


def test_change_test_turn_on_and_delete(org, admin, posted):
    connection = channel(admin, events=["live"])
    client = login(admin)
    assert client.get(f"/notifications/chat/{connection.pk}/").status_code == 200
    response = client.post(
        f"/notifications/chat/{connection.pk}/",
        {"kind": "slack", "name": "#renamed", "webhook_url": "", "events": ["digest"]},
    )
    assert response.status_code == 302
    connection.refresh_from_db()
    assert (connection.name, connection.events) == ("#renamed", ["digest"])
    sealed = connection.webhook_sealed  # kept: the field was left empty
    assert client.post(f"/notifications/chat/{connection.pk}/test/").status_code == 302
    [(url, payload)] = posted
    assert url.startswith("https://hooks.example.com/") and "Portevoix" in payload["text"]
    assert ChatDelivery.objects.get().event == "test"
    ChatConnection.objects.filter(pk=connection.pk).update(enabled=False, disabled_reason="gone")
    assert "Turn on again" in client.get("/notifications/chat/").content.decode()
    assert client.post(f"/notifications/chat/{connection.pk}/enable/").status_code == 302
    connection.refresh_from_db()
    assert connection.enabled and connection.webhook_sealed == sealed
    assert client.post(f"/notifications/chat/{connection.pk}/delete/").status_code == 302
    assert not ChatConnection.objects.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "chat.connection_added",
        "chat.connection_changed",
        "chat.connection_tested",
        "chat.connection_enabled",
        "chat.connection_deleted",
    } <= actions


def test_an_outsider_gets_404_on_another_organizations_channel(org, admin, outsider):
    connection = channel(admin)
    client = login(outsider)
    assert client.get("/notifications/chat/").status_code == 200  # their own page
    for path in ("", "test/", "enable/", "delete/"):
        method = client.get if path == "" else client.post
        assert method(f"/notifications/chat/{connection.pk}/{path}").status_code == 404
    assert ChatConnection.objects.filter(pk=connection.pk).exists()


def test_wrong_methods_and_csrf(org, admin):
    connection = channel(admin)
    client = login(admin)
    for path in ("test/", "enable/", "delete/"):
        assert client.get(f"/notifications/chat/{connection.pk}/{path}").status_code == 405
    assert client.get("/notifications/chat/slack/").status_code == 405
    assert client.put("/notifications/chat/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.login(email=admin.user.email, password=PASSWORD)
    assert add(strict).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(org, admin):
    connection = channel(admin)
    for path in ("/notifications/chat/", f"/notifications/chat/{connection.pk}/"):
        response = Client().get(path)
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_slack_app_secrets_are_sealed_and_never_shown(org, admin):
    client = login(admin)
    response = client.post(
        "/notifications/chat/slack/", {"signing_secret": "s3cr3t-sign", "bot_token": "xoxb-111"}
    )
    assert response.status_code == 302
    app = SlackApp.objects.get(organization=org)
    assert "s3cr3t" not in app.signing_secret_sealed and "xoxb-111" not in app.bot_token_sealed
    page = client.get("/notifications/chat/").content.decode()
    assert "A signing secret is stored." in page and "s3cr3t" not in page
    assert f"/hooks/slack/interactivity/{org.slug}/" in page
    assert client.post("/notifications/chat/slack/", {"bot_token": "nope"}).status_code == 200
    entry = AuditEntry.objects.get(action="chat.slack_app_set")
    assert "s3cr3t" not in str(entry.after) and "xoxb" not in str(entry.after)


def test_the_page_makes_a_constant_number_of_queries(org, admin, django_assert_max_num_queries):
    for n in range(6):
        channel(admin, events=["live"]).name = f"#{n}"
    from tests.notifications.chat_helpers import live_item

    live_item(org)
    live_item(org)
    client = login(admin)
    client.get("/notifications/chat/")
    with django_assert_max_num_queries(14):
        assert client.get("/notifications/chat/").status_code == 200


def test_the_settings_hub_links_the_page(org, admin, member):
    assert "/notifications/chat/" in login(admin).get("/settings/").content.decode()
    assert "/settings/signature/" in login(admin).get("/settings/").content.decode()


def test_a_member_can_do_nothing_on_any_channel_page(org, admin, member, ambassador):
    connection = channel(admin)
    for person in (member, ambassador):
        client = login(person)
        assert client.get(f"/notifications/chat/{connection.pk}/").status_code == 403
        for path in ("test/", "enable/", "delete/"):
            assert client.post(f"/notifications/chat/{connection.pk}/{path}").status_code == 403
        response = client.post("/notifications/chat/slack/", {"signing_secret": "mine"})
        assert response.status_code == 403
    assert ChatConnection.objects.filter(pk=connection.pk).exists()
    assert not SlackApp.objects.exists()


def test_an_outsiders_slack_app_is_their_own(org, admin, outsider):
    login(outsider).post("/notifications/chat/slack/", {"signing_secret": "theirs"})
    assert list(SlackApp.objects.values_list("organization_id", flat=True)) == [
        outsider.organization_id
    ]
