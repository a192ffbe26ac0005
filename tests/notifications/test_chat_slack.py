"""Slack interactivity: the "Share" button. Requests signed with the organization's signing
secret are accepted within five minutes; forged, stale or unsigned ones are refused. The
clicking Slack user is matched to a member by email (users.info on a local fake Slack) and
answered privately on the response_url: their own tracked link and the ready text, or a
polite answer without a link."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings

from portevoix.accounts import services as account_services
from portevoix.notifications.chat import services as chat_services
from portevoix.notifications.chat import slack
from portevoix.notifications.chat.messages import SHARE_ACTION
from portevoix.notifications.models_chat import SlackApp, SlackShareRequest
from portevoix.sharing.models import TrackedLink
from tests import factories
from tests.notifications.chat_helpers import live_item
from tests.peers.server import FakeApp, Resp, serve

pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.peers]

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-test-token"
EMAILS = {"U0AMBASSADOR": "amb@acme.test", "U0STRANGER": "nobody@elsewhere.test"}


@pytest.fixture
def fake_slack():
    app = FakeApp("slack")

    @app.route("GET", "/api/users.info")
    def users_info(req):
        if req.bearer() != TOKEN:
            return Resp(200, {"ok": False, "error": "invalid_auth"})
        email = EMAILS.get(req.query.get("user", ""))
        if email is None:
            return Resp(200, {"ok": False, "error": "user_not_found"})
        return Resp(
            200, {"ok": True, "user": {"id": req.query["user"], "profile": {"email": email}}}
        )

    @app.route("POST", "/actions/{n}")
    def respond(req):
        return Resp(200, "ok")

    with serve(app) as base, override_settings(SLACK_API_BASE_URL=f"{base}/api"):
        app.base = base  # type: ignore[attr-defined]
        yield app


@pytest.fixture
def slack_org(org, admin):
    chat_services.slack_app_update(actor=admin, signing_secret=SECRET, bot_token=TOKEN)
    return org


def click_body(base: str, user: str, item_id: int, action: str = SHARE_ACTION) -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "someone", "team_id": "T0001"},
        "team": {"id": "T0001"},
        "response_url": f"{base}/actions/1",
        "actions": [
            {"type": "button", "action_id": action, "block_id": "b1", "value": str(item_id)}
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def post(org, body: bytes, *, secret: str = SECRET, timestamp: int | None = None, signature=None):
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature or slack.signature_of(secret, stamp, body),
    }
    return Client().post(
        f"/hooks/slack/interactivity/{org.slug}/",
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


def test_secrets_are_stored_sealed(slack_org):
    app = SlackApp.objects.get(organization=slack_org)
    assert SECRET not in app.signing_secret_sealed and TOKEN not in app.bot_token_sealed


def test_slacks_documented_example_signature():
    # https://api.slack.com/authentication/verifying-requests-from-slack (the worked example)
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
        b"channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
        b"command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
        b"commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
        b"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    assert (
        slack.signature_of(SECRET, "1531420618", body)
        == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )


def test_a_matched_member_gets_their_own_tracked_link_privately(slack_org, fake_slack):
    ambassador = factories.make_member(slack_org, email="AMB@acme.test", ambassador=True)
    item = live_item(slack_org, title="Nous recrutons")
    response = post(slack_org, click_body(fake_slack.base, "U0AMBASSADOR", item.pk))
    assert response.status_code == 200 and response.content == b""
    [info] = [c for c in fake_slack.calls if c.path == "/api/users.info"]
    assert info.query == {"user": "U0AMBASSADOR"} and info.bearer() == TOKEN
    [answer] = [c for c in fake_slack.calls if c.path == "/actions/1"]
    body = answer.json()
    link = TrackedLink.objects.get(membership=ambassador, item=item, network="linkedin")
    short = f"/l/{link.code}"
    assert body["response_type"] == "ephemeral" and body["replace_original"] is False
    assert short in body["text"]
    assert short in body["blocks"][0]["text"]["text"]
    assert short in body["blocks"][1]["text"]["text"]  # the ready text carries the link
    assert SlackShareRequest.objects.get().outcome == "answered"
    assert SlackShareRequest.objects.get().response_url_sealed == ""


def test_an_unknown_email_gets_a_polite_answer_and_no_link(slack_org, fake_slack):
    item = live_item(slack_org)
    assert post(slack_org, click_body(fake_slack.base, "U0STRANGER", item.pk)).status_code == 200
    [answer] = [c for c in fake_slack.calls if c.path == "/actions/1"]
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert "/l/" not in json.dumps(body) and "invite" in body["text"]
    assert not TrackedLink.objects.exists()
    assert SlackShareRequest.objects.get().outcome == "unknown"


def test_a_member_who_withdrew_gets_no_link(slack_org, fake_slack):
    ambassador = factories.make_member(slack_org, email="amb@acme.test", ambassador=True)
    account_services.ambassador_opt_out(membership=ambassador)
    item = live_item(slack_org)
    post(slack_org, click_body(fake_slack.base, "U0AMBASSADOR", item.pk))
    [answer] = [c for c in fake_slack.calls if c.path == "/actions/1"]
    assert "/l/" not in json.dumps(answer.json())
    assert not TrackedLink.objects.filter(membership=ambassador).exists()
    assert SlackShareRequest.objects.get().outcome == "refused"


@pytest.mark.parametrize(
    "forge",
    [
        {"secret": "another-secret"},
        {"signature": "v0=" + "0" * 64},
        {"signature": "v1=abc"},
        {"age": 5 * 60 + 30},  # stale: a replay
        {"age": -(5 * 60 + 30)},  # from the future
    ],
)
def test_forged_or_stale_requests_are_refused(slack_org, fake_slack, forge):
    ambassador = factories.make_member(slack_org, email="amb@acme.test", ambassador=True)
    item = live_item(slack_org)
    if "age" in forge:  # the time of the request, not of the test's collection
        forge = {"timestamp": int(time.time()) - forge["age"]}
    response = post(slack_org, click_body(fake_slack.base, "U0AMBASSADOR", item.pk), **forge)
    assert response.status_code == 401
    assert not SlackShareRequest.objects.exists() and fake_slack.calls == []
    assert not TrackedLink.objects.filter(membership=ambassador).exists()


def test_a_tampered_body_is_refused(slack_org, fake_slack):
    item = live_item(slack_org)
    body = click_body(fake_slack.base, "U0AMBASSADOR", item.pk)
    stamp = str(int(time.time()))
    signature = slack.signature_of(SECRET, stamp, body)
    response = Client().post(
        f"/hooks/slack/interactivity/{slack_org.slug}/",
        data=body.replace(b"U0AMBASSADOR", b"U0STRANGERX"),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature},
    )
    assert response.status_code == 401


def test_within_the_window_is_accepted_and_other_buttons_are_ignored(slack_org, fake_slack):
    item = live_item(slack_org)
    old = int(time.time()) - 4 * 60
    body = click_body(fake_slack.base, "U0AMBASSADOR", item.pk, action="open_0")
    assert post(slack_org, body, timestamp=old).status_code == 200
    assert not SlackShareRequest.objects.exists() and fake_slack.calls == []


def test_another_organizations_secret_does_not_open_this_one(slack_org, other_org, fake_slack):
    outsider = factories.make_member(other_org, "admin")
    chat_services.slack_app_update(actor=outsider, signing_secret="globex-secret")
    item = live_item(slack_org)
    body = click_body(fake_slack.base, "U0AMBASSADOR", item.pk)
    assert post(slack_org, body, secret="globex-secret").status_code == 401
    assert (
        Client()
        .post(
            "/hooks/slack/interactivity/nope/",
            data=body,
            content_type="application/x-www-form-urlencoded",
        )
        .status_code
        == 404
    )
    assert Client().get(f"/hooks/slack/interactivity/{slack_org.slug}/").status_code == 405


def test_no_signing_secret_refuses_everything(org, fake_slack):
    item = live_item(org)
    assert post(org, click_body(fake_slack.base, "U0AMBASSADOR", item.pk)).status_code == 401
