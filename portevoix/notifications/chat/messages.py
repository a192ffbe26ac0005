"""What a channel is told, once, in neutral form (`ChatMessage`), then rendered as Block
Kit (Slack) or an Adaptive Card (Teams). Built in the organization's language, with
absolute links to this site (SITE_URL). Every text from a user is escaped by the renderer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from portevoix.core.networks import Network

from . import adaptive, blockkit

SHARE_ACTION = "portevoix_share"
DIGEST_ITEMS = 10
EXCERPT = 280


@dataclass
class ChatMessage:
    title: str
    text: str = ""  # a user's text (escaped when rendered)
    facts: list[tuple[str, str]] = field(default_factory=list)
    # (label, absolute url) listed in the message: the digest's items
    entries: list[tuple[str, str]] = field(default_factory=list)
    # (label, absolute url) buttons
    buttons: list[tuple[str, str]] = field(default_factory=list)
    # Slack only: a "Share" button answering the clicking member privately.
    share_item_id: int | None = None
    note: str = ""  # our own small print


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def _number(value: Any) -> str:
    if hasattr(value, "to_integral_value") and value == value.to_integral_value():
        value = value.to_integral_value()
    return str(formats.number_format(value, force_grouping=True))


def item_live(item: Any, *, important: bool) -> ChatMessage:
    share = [
        (
            _("Share on %(network)s") % {"network": Network.LABELS[network]},
            absolute(reverse("sharing:share", args=[item.pk, network])),
        )
        for network in (Network.LINKEDIN, Network.X)
    ]
    return ChatMessage(
        title=(_("Important: %(title)s") if important else _("New to share: %(title)s"))
        % {"title": item.title},
        text=_excerpt(item.preview_description or item.body or ""),
        buttons=share,
        share_item_id=item.pk,
        note=_("Your own tracked link is added when you share from Portevoix."),
    )


def goal_reached(goal: Any) -> ChatMessage:
    return ChatMessage(
        title=_("Goal reached: %(name)s") % {"name": goal.name},
        facts=[(_("Target"), _number(goal.target))]
        + ([(_("Reached"), _number(goal.reached_value))] if goal.reached_value is not None else []),
        buttons=[(_("See the goals"), absolute(reverse("analytics:goals")))],
        note=_("Thank you to everyone who took part!"),
    )


def challenge_progress(challenge: Any, percent: int) -> ChatMessage:
    return ChatMessage(
        title=(
            _("Challenge completed: %(title)s")
            if percent >= 100
            else _("Challenge at %(percent)d %%: %(title)s")
        )
        % {"title": challenge.title, "percent": percent},
        text=challenge.description,
        facts=[
            (_("Progress"), f"{_number(challenge.progress)} / {_number(challenge.target)}"),
            (_("Ends"), str(formats.date_format(challenge.ends_at, "DATE_FORMAT"))),
        ],
        buttons=[
            (
                _("See the challenge"),
                absolute(reverse("recognition:challenge", args=[challenge.pk])),
            )
        ],
    )


def weekly_digest(items: list[Any], total: int) -> ChatMessage:
    shown = items[:DIGEST_ITEMS]
    return ChatMessage(
        title=_("This week in Portevoix: %(count)d new to share") % {"count": total},
        entries=[
            (item.title, absolute(reverse("sharing:share", args=[item.pk, Network.LINKEDIN])))
            for item in shown
        ],
        buttons=[(_("Open the feed"), absolute(reverse("content:feed")))],
        note=(
            _("And %(count)d more in the feed.") % {"count": total - len(shown)}
            if total > len(shown)
            else ""
        ),
    )


def test_message(name: str) -> ChatMessage:
    return ChatMessage(
        title=_("Portevoix is connected"),
        text=_("This channel (%(name)s) will receive the program's news.") % {"name": name},
    )


# --------------------------------------------------------------------------- rendering


def to_slack(message: ChatMessage) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [blockkit.header(message.title)]
    if message.text:
        blocks.append(blockkit.section(blockkit.escape(message.text)))
    if message.facts:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    blockkit.mrkdwn(f"*{blockkit.escape(k)}*\n{blockkit.escape(v)}", 2000)
                    for k, v in message.facts[: blockkit.MAX_FIELDS]
                ],
            }
        )
    for label, url in message.entries:
        blocks.append(blockkit.section("• " + blockkit.link(url, label)))
    elements = []
    if message.share_item_id is not None:
        elements.append(
            blockkit.button(
                _("Share"),
                action_id=SHARE_ACTION,
                value=str(message.share_item_id),
                style="primary",
            )
        )
    for n, (label, url) in enumerate(message.buttons):
        elements.append(blockkit.button(label, action_id=f"open_{n}", url=url))
    if elements:
        blocks.append(blockkit.actions(*elements))
    if message.note:
        blocks.append(blockkit.context(blockkit.escape(message.note)))
    # The top-level text is mrkdwn (the notification's fallback): escaped like the sections.
    return blockkit.message(blockkit.escape(message.title), blocks)


def to_teams(message: ChatMessage) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        adaptive.text_block(adaptive.plain(message.title, 200), size="Medium", weight="Bolder")
    ]
    if message.text:
        body.append(adaptive.text_block(adaptive.plain(message.text)))
    if message.facts:
        body.append(
            adaptive.facts([(adaptive.plain(k), adaptive.plain(v)) for k, v in message.facts])
        )
    for label, url in message.entries:
        body.append(adaptive.text_block(f"[{adaptive.plain(label, 200)}]({url})"))
    if message.note:
        body.append(adaptive.text_block(adaptive.plain(message.note), isSubtle=True, size="Small"))
    actions = [adaptive.open_url(label, url) for label, url in message.buttons]
    return adaptive.message(adaptive.card(body, actions))


def render(kind: str, message: ChatMessage) -> dict[str, Any]:
    return to_slack(message) if kind == "slack" else to_teams(message)


def validate(kind: str, payload: dict[str, Any]) -> list[str]:
    return blockkit.validate(payload) if kind == "slack" else adaptive.validate(payload)
