"""What each kind of notification says, in the recipient's language and time zone.

Each builder is called with the language active (`translation.override`) and the member's
time zone, and returns the title, the body and the page it leads to (a path of this site).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

MAX_TITLE = 200
MAX_BODY = 500


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    url: str

    def clipped(self) -> Message:
        url = self.url if self.url.startswith("/") and not self.url.startswith("//") else ""
        return Message(self.title[:MAX_TITLE], self.body[:MAX_BODY], url[:500])


def _short(text: str, limit: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def content_live(item: Any, tz: dt.tzinfo) -> Message:
    return Message(
        title=_("New in your feed: %(title)s") % {"title": _short(item.title, 150)},
        body=_("Important content is live. Share it if you wish: it is always your choice."),
        url=reverse("content:feed"),
    )


def post_outcome(post: Any, tz: dt.tzinfo) -> Message:
    network = post.get_network_display()
    if post.state == "published":
        title = _("Your post went out on %(network)s") % {"network": network}
        body = _short(post.item.title)
    else:
        title = _("Your post on %(network)s failed") % {"network": network}
        body = _short(post.error) or _short(post.item.title)
    return Message(title=title, body=body, url=reverse("publishing:posts"))


def reconnect(connection: Any, tz: dt.tzinfo) -> Message:
    return Message(
        title=_("Reconnect your %(network)s account")
        % {"network": connection.get_network_display()},
        body=_("Your scheduled posts on it cannot go out until you reconnect it."),
        url=reverse("publishing:accounts"),
    )


def suggestion_answered(case: Any, tz: dt.tzinfo) -> Message:
    if case.status == "approved":
        title = _("Your suggestion was accepted")
        body = _("Thank you: the community managers accepted your suggestion.")
    else:
        title = _("Your suggestion was answered")
        body = _short(case.decision_reason) or _("The community managers did not keep it.")
    return Message(title=title, body=body, url="")


def event_soon(event: Any, tz: dt.tzinfo, now: dt.datetime) -> Message:
    starts = event.starts_at.astimezone(tz)
    today = now.astimezone(tz).date()
    when = formats.time_format(starts.time(), "TIME_FORMAT")
    name = _short(event.title, 120)
    if starts.date() == today:
        title = _("Today at %(time)s: %(title)s") % {"time": when, "title": name}
    elif starts.date() == today + dt.timedelta(days=1):
        title = _("Tomorrow at %(time)s: %(title)s") % {"time": when, "title": name}
    else:
        day = formats.date_format(starts.date(), "SHORT_DATE_FORMAT")
        title = _("%(day)s at %(time)s: %(title)s") % {"day": day, "time": when, "title": name}
    place = event.place or _("Online")
    return Message(title=title, body=place, url=reverse("training:event", args=[event.pk]))


def survey(found: Any, tz: dt.tzinfo, *, reminder: bool) -> Message:
    deadline = formats.date_format(found.deadline.astimezone(tz), "DATETIME_FORMAT")
    if reminder:
        title = _("A survey waits for your answer: %(title)s")
    else:
        title = _("A new survey for you: %(title)s")
    return Message(
        title=title % {"title": _short(found.title, 150)},
        body=_("Open until %(deadline)s. It takes a few minutes.") % {"deadline": deadline},
        url=reverse("surveys:answer", args=[found.pk]),
    )
