"""Slack and Teams messages: every message we build passes Block Kit's documented limits
(our validator, written from Slack's reference) and the Adaptive Cards library's parser;
the validators themselves refuse what Slack and Teams refuse; users' texts are escaped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from portevoix.notifications.chat import adaptive, blockkit, messages
from tests.notifications.chat_helpers import adaptive_card_errors

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def item(pk: int = 7, title: str = "Nous recrutons", body: str = "Rejoignez-nous."):
    return SimpleNamespace(pk=pk, title=title, body=body, preview_description="")


def every_message() -> list[messages.ChatMessage]:
    goal = SimpleNamespace(
        name="500 partages", target=Decimal("500.00"), reached_value=Decimal(512)
    )
    challenge = SimpleNamespace(
        pk=3, title="Défi LinkedIn", description="", progress=60, target=100, ends_at=NOW
    )
    long_item = item(title="T" * 400, body="B" * 5000)
    return [
        messages.item_live(item(), important=False),
        messages.item_live(item(), important=True),
        messages.item_live(long_item, important=True),
        messages.goal_reached(goal),
        messages.challenge_progress(challenge, 50),
        messages.challenge_progress(challenge, 100),
        messages.weekly_digest([item(pk=n, title=f"Item {n}") for n in range(30)], 30),
        messages.test_message("#ambassadors"),
    ]


def test_every_slack_message_passes_block_kit_limits():
    for message in every_message():
        payload = messages.to_slack(message)
        assert blockkit.validate(payload) == [], payload
        assert len(payload["blocks"]) <= blockkit.MAX_BLOCKS


def test_every_teams_message_passes_the_structural_check():
    for message in every_message():
        payload = messages.to_teams(message)
        assert adaptive.validate(payload) == [], payload
        assert payload["type"] == "message"
        [attachment] = payload["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert attachment["content"]["type"] == "AdaptiveCard"


@pytest.mark.slow
def test_every_teams_card_parses_with_the_adaptivecards_library():
    cards = [messages.to_teams(m)["attachments"][0]["content"] for m in every_message()]
    assert adaptive_card_errors(cards) == [[] for _card in cards]


@pytest.mark.slow
def test_the_adaptivecards_library_reports_a_broken_card():
    broken = {
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [{"type": "Bogus"}, {"type": "FactSet", "facts": "no"}],
        "actions": [{"type": "Action.Nope", "title": "x"}],
    }
    [errors] = adaptive_card_errors([broken])
    assert any("Bogus" in e for e in errors)
    assert any("Action.Nope" in e for e in errors)


def test_the_share_message_has_a_share_button_and_share_links():
    payload = messages.to_slack(messages.item_live(item(pk=42), important=True))
    [actions] = [b for b in payload["blocks"] if b["type"] == "actions"]
    share = actions["elements"][0]
    assert share == {
        "type": "button",
        "text": {"type": "plain_text", "text": "Share", "emoji": True},
        "action_id": messages.SHARE_ACTION,
        "value": "42",
        "style": "primary",
    }
    urls = [e["url"] for e in actions["elements"][1:]]
    assert urls == [
        "http://testserver/share/42/linkedin/".replace("http://testserver", messages.absolute("")),
        messages.absolute("/share/42/x/"),
    ]
    teams = messages.to_teams(messages.item_live(item(pk=42), important=True))
    assert [a["url"] for a in teams["attachments"][0]["content"]["actions"]] == urls


def test_users_texts_are_escaped_in_both_formats():
    hostile = item(title="<!channel> <https://evil.example|click> & *bold*", body="<!here> [x](y)")
    slack = messages.to_slack(messages.item_live(hostile, important=False))
    # mrkdwn (the fallback text, the sections): Slack's control characters escaped, so no
    # ping and no forged link; the header is plain_text, which Slack never parses.
    assert slack["text"] == (
        "New to share: &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; *bold*"
    )
    assert slack["blocks"][0] == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": "New to share: <!channel> <https://evil.example|click> & *bold*",
            "emoji": True,
        },
    }
    assert slack["blocks"][1]["text"] == {"type": "mrkdwn", "text": "&lt;!here&gt; [x](y)"}
    teams = messages.to_teams(messages.item_live(hostile, important=False))
    body = teams["attachments"][0]["content"]["body"]
    assert body[1]["text"] == r"<\!here\> \[x\]\(y\)"
    assert r"\*bold\*" in body[0]["text"]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]},
            "1 to 3000",
        ),
        ({"blocks": [{"type": "divider"}] * 51}, "blocks: 1 to 50"),
        ({"blocks": [{"type": "carousel"}]}, "unknown block type"),
        ({"blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}]}, "plain_text"),
        (
            {"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}]},
            "1 to 150",
        ),
        (
            {
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [
                            {
                                "type": "button",
                                "text": {"type": "plain_text", "text": "x" * 76},
                                "action_id": "a",
                            }
                        ],
                    }
                ]
            },
            "1 to 75",
        ),
        (
            {
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [
                            {
                                "type": "button",
                                "text": {"type": "plain_text", "text": "x"},
                                "action_id": "a" * 256,
                            }
                        ],
                    }
                ]
            },
            "action_id: at most 255",
        ),
        (
            {
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [
                            {
                                "type": "button",
                                "text": {"type": "plain_text", "text": "x"},
                                "url": "javascript:alert(1)",
                            }
                        ],
                    }
                ]
            },
            "url must be http(s)",
        ),
        (
            {
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [
                            {
                                "type": "button",
                                "text": {"type": "plain_text", "text": "x"},
                                "url": "https://a.example/" + "x" * 3000,
                            }
                        ],
                    }
                ]
            },
            "at most 3000",
        ),
        (
            {"blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "x"}] * 11}]},
            "fields: at most 10",
        ),
        ({"blocks": [{"type": "section"}]}, "needs text or fields"),
        ({"text": "x", "attachments": []}, "unknown fields"),
        ({}, "needs text or blocks"),
    ],
)
def test_the_block_kit_validator_refuses_what_slack_refuses(payload, expected):
    errors = blockkit.validate(payload)
    assert any(expected in e for e in errors), errors


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"type": "message", "attachments": []}, "exactly one attachment"),
        (
            {"type": "message", "attachments": [{"contentType": "text/html", "content": {}}]},
            "Adaptive Card",
        ),
        (adaptive.message({"type": "AdaptiveCard", "version": "1.4", "body": []}), "at least one"),
        (adaptive.message(adaptive.card([{"type": "Bogus"}])), "unknown element"),
        (
            adaptive.message(
                adaptive.card(
                    [adaptive.text_block("x")],
                    [{"type": "Action.OpenUrl", "title": "x", "url": "ftp://x"}],
                )
            ),
            "http(s)",
        ),
    ],
)
def test_the_card_check_refuses_broken_cards(payload, expected):
    assert any(expected in e for e in adaptive.validate(payload))
