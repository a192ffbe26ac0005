"""The emails, rendered fast: Django templates compiled once per run, language and item,
filled per member.

A piece (the frame of the email, an item's card, the figures) is rendered once with a
Django template whose per-member values are *slots*: private-use sentinels
("\\ue000name\\ue001") that autoescaping leaves alone. The result is split once into literal
parts and slot names (`Compiled`); a member's email is then a join of those parts with
their values (escaped here for HTML) — a few microseconds instead of a template render.
A team's goals are rendered once per language and set of goals. What a member sees is
exactly what the templates say: the preview page uses the same code.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portevoix.core.networks import Network
from portevoix.sharing import selectors as sharing_selectors

from . import styles, tokens
from .selectors import Recipient

_SLOT = re.compile("\ue000([a-z0-9_]+)\ue001")
MAX_NETWORKS_PER_ITEM = 2


def slot(name: str) -> str:
    return f"\ue000{name}\ue001"


class Compiled:
    """A rendered piece split into literals and slot names: `fill` joins them."""

    __slots__ = ("literals", "names")

    def __init__(self, rendered: str):
        parts = _SLOT.split(rendered)
        self.literals = parts[0::2]
        self.names = parts[1::2]

    def fill(self, values: dict[str, str]) -> str:
        literals = self.literals
        out = [literals[0]]
        for index, name in enumerate(self.names, start=1):
            out.append(values[name])
            out.append(literals[index])
        return "".join(out)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str  # the whole document
    body_html: str  # the part inside <body> (the preview page shows it)
    unsubscribe_url: str


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@functools.lru_cache(maxsize=8)
def _domain_of(from_email: str) -> str:
    return parseaddr(from_email)[1].rpartition("@")[2] or "localhost"


def mail_domain() -> str:
    """The domain of DEFAULT_FROM_EMAIL (the right side of the Message-IDs)."""
    return _domain_of(settings.DEFAULT_FROM_EMAIL)


def _networks(item: Any) -> list[tuple[str, str]]:
    """(network, suggested copy) of an item's first networks with a copy (the first variant),
    else LinkedIn with its title."""
    seen: dict[str, str] = {}
    for copy in item.copies.all():
        if copy.network not in seen:
            seen[copy.network] = copy.text
    found = [(n, seen[n]) for n in Network.ALL if n in seen][:MAX_NETWORKS_PER_ITEM]
    return found or [(Network.LINKEDIN, item.title)]


class Renderer:
    """Compiles and caches the pieces of one organization's emails; renders members'
    emails. One per batch or run: its caches hold a few pieces per language and item."""

    def __init__(self, *, organization_id: int, organization_name: str):
        self.organization_id = organization_id
        self.organization_name = organization_name
        self.from_email = settings.DEFAULT_FROM_EMAIL
        self.unsubscribe_mailto = settings.EMAIL_UNSUBSCRIBE_MAILTO
        self._frames: dict[tuple[str, str], tuple[Compiled, Compiled]] = {}
        self._cards: dict[tuple[int, str], tuple[Compiled, Compiled, list[str]]] = {}
        self._figures: dict[str, tuple[Compiled, Compiled, str, str]] = {}
        self._goals: dict[tuple[str, tuple[int, ...]], tuple[str, str]] = {}
        self._subjects: dict[tuple[str, str, int], str] = {}
        self._intros: dict[tuple[str, str, int], str] = {}
        token = "x" * 22
        self._share_base = absolute(
            reverse("notifications:mail_share", args=[organization_id, token])
        ).removesuffix(token)
        self._go_base = absolute(
            reverse("notifications:mail_go", args=[organization_id, token])
        ).removesuffix(token)
        self._unsubscribe_base = absolute(
            reverse("notifications:unsubscribe_email", args=["t"])
        ).removesuffix("t/")

    # --- pieces, compiled once

    def _in(self, language: str, build: Callable[[], Any]) -> Any:
        with translation.override(language):
            return build()

    def frame(self, kind: str, language: str) -> tuple[Compiled, Compiled]:
        key = (kind, language)
        if key not in self._frames:
            context = {
                "kind": kind,
                "organization": self.organization_name,
                "greeting": slot("greeting"),
                "intro": slot("intro"),
                "items": slot("items"),
                "figures": slot("figures"),
                "goals": slot("goals"),
                "unsubscribe_url": slot("unsubscribe"),
                "settings_url": absolute(reverse("notifications:settings")),
                "feed_url": absolute("/feed/"),
                "language": language,
            }
            self._frames[key] = self._in(
                language,
                lambda: (
                    Compiled(
                        styles.inline(render_to_string("notifications/mail/frame.html", context))
                    ),
                    Compiled(render_to_string("notifications/mail/frame.txt", context)),
                ),
            )
        return self._frames[key]

    def card(self, item: Any, language: str) -> tuple[Compiled, Compiled, list[str]]:
        key = (item.pk, language)
        if key not in self._cards:
            networks = _networks(item)
            entries = [
                {
                    "label": Network.LABELS[network],
                    "text": sharing_selectors.post_text(
                        text, item_link=item.link, short_url=slot(f"g{index}")
                    ),
                    "share_url": slot(f"s{index}"),
                }
                for index, (network, text) in enumerate(networks)
            ]
            context = {"item": item, "networks": entries, "summary": _summary(item)}
            html_card, text_card = self._in(
                language,
                lambda: (
                    styles.inline(render_to_string("notifications/mail/item.html", context)),
                    render_to_string("notifications/mail/item.txt", context),
                ),
            )
            self._cards[key] = (Compiled(html_card), Compiled(text_card), [n for n, _t in networks])
        return self._cards[key]

    def figures(self, language: str) -> tuple[Compiled, Compiled, str, str]:
        if language not in self._figures:
            context = {"shares": slot("shares"), "clicks": slot("clicks"), "reach": slot("reach")}

            def build() -> tuple[Compiled, Compiled, str, str]:
                empty = {"empty": True}
                return (
                    Compiled(
                        styles.inline(render_to_string("notifications/mail/figures.html", context))
                    ),
                    Compiled(render_to_string("notifications/mail/figures.txt", context)),
                    styles.inline(render_to_string("notifications/mail/figures.html", empty)),
                    render_to_string("notifications/mail/figures.txt", empty),
                )

            self._figures[language] = self._in(language, build)
        return self._figures[language]

    def goals(self, language: str, goals: list[Any]) -> tuple[str, str]:
        key = (language, tuple(g.goal.pk for g in goals))
        if key not in self._goals:
            context = {"goals": goals}
            self._goals[key] = self._in(
                language,
                lambda: (
                    styles.inline(render_to_string("notifications/mail/goals.html", context)),
                    render_to_string("notifications/mail/goals.txt", context),
                ),
            )
        return self._goals[key]

    def subject(self, kind: str, language: str, count: int, title: str = "") -> str:
        key = (kind, language, count if kind == "digest" else 0)
        if kind != "digest":
            return self._in(language, lambda: _("Important: %(title)s") % {"title": title})
        if key not in self._subjects:
            self._subjects[key] = self._in(
                language,
                lambda: (
                    ngettext(
                        "%(count)s new post to share from %(organization)s",
                        "%(count)s new posts to share from %(organization)s",
                        count,
                    )
                    % {"count": count, "organization": self.organization_name}
                ),
            )
        return self._subjects[key]

    def greeting(self, language: str, kind: str, count: int) -> tuple[Compiled, str]:
        key = ("greeting-" + kind, language)
        if key not in self._frames:
            self._frames[key] = self._in(
                language,
                lambda: (
                    Compiled(_("Hello %(name)s,") % {"name": slot("name")}),
                    Compiled(""),
                ),
            )
        intro_key = (kind, language, count)
        if intro_key not in self._intros:
            self._intros[intro_key] = self._in(language, lambda: _intro(kind, count))
        return self._frames[key][0], self._intros[intro_key]

    def unsubscribe_url(self, membership_id: int, list_name: str) -> str:
        token = tokens.unsubscribe_token(membership_id, self.organization_id, list_name)
        return f"{self._unsubscribe_base}{token}/"

    # --- a member's email

    def render(self, recipient: Recipient, *, kind: str, list_name: str) -> Rendered:
        language = recipient.language
        member = recipient.membership_id
        org = self.organization_id
        html_cards, text_cards = [], []
        for item in recipient.items:
            html_card, text_card, networks = self.card(item, language)
            wanted = [
                (item.pk, n, k) for n in networks for k in (tokens.KIND_SHARE, tokens.KIND_GO)
            ]
            made = iter(tokens.link_tokens(org, member, wanted))
            values = {}
            for index in range(len(networks)):
                values[f"s{index}"] = self._share_base + next(made)
                values[f"g{index}"] = self._go_base + next(made)
            html_cards.append(html_card.fill(values))
            text_cards.append(text_card.fill(values))
        greeting, intro = self.greeting(language, kind, len(recipient.items))
        name = recipient.name or recipient.email
        fig_html, fig_text, empty_html, empty_text = self.figures(language)
        if kind == "digest" and recipient.figures is not None:
            f = recipient.figures
            numbers = {
                "shares": str(f.shares),
                "clicks": str(f.clicks),
                "reach": str(f.potential_reach),
            }
            figures_html, figures_text = fig_html.fill(numbers), fig_text.fill(numbers)
        elif kind == "digest":
            figures_html, figures_text = empty_html, empty_text
        else:
            figures_html = figures_text = ""
        goals_html, goals_text = (
            self.goals(language, recipient.goals)
            if kind == "digest" and recipient.goals
            else ("", "")
        )
        unsubscribe = self.unsubscribe_url(member, list_name)
        frame_html, frame_text = self.frame(kind, language)
        common = {"intro": html.escape(intro), "unsubscribe": unsubscribe}
        body = frame_html.fill(
            {
                **common,
                "greeting": greeting.fill({"name": html.escape(name)}),
                "items": "".join(html_cards),
                "figures": figures_html,
                "goals": goals_html,
            }
        )
        text = frame_text.fill(
            {
                **common,
                "intro": intro,
                "greeting": greeting.fill({"name": name}),
                "items": "\n".join(text_cards),
                "figures": figures_text,
                "goals": goals_text,
            }
        )
        title = recipient.items[0].title if recipient.items else ""
        subject = self.subject(kind, language, len(recipient.items), title)
        document = (
            f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(subject)}</title></head>"
            f'<body style="margin:0;padding:0;background:#f4f4f5">{body}</body></html>'
        )
        return Rendered(
            subject=subject,
            text=text,
            html=document,
            body_html=body,
            unsubscribe_url=unsubscribe,
        )


def _intro(kind: str, count: int) -> str:
    if kind == "digest":
        return ngettext(
            "Here is %(count)s new post you have not shared yet, ready to copy.",
            "Here are %(count)s new posts you have not shared yet, ready to copy.",
            count,
        ) % {"count": count}
    return _("Important content is live: share it while it is fresh.")


SUMMARY_CHARS = 240


def _summary(item: Any) -> str:
    """The start of the item's text (its sanitized HTML without tags), on a word boundary."""
    text = " ".join(strip_tags(item.body_html or "").split())
    if len(text) <= SUMMARY_CHARS:
        return text
    return text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
