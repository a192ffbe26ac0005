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


def reward_answered(redemption: Any, tz: dt.tzinfo) -> Message:
    reward = _short(redemption.reward.title, 150)
    if redemption.status == "approved":
        title = _("Your reward request was approved: %(reward)s") % {"reward": reward}
        body = _("Your points are spent; you will hear when it is given.")
    elif redemption.status == "fulfilled":
        title = _("Your reward was given: %(reward)s") % {"reward": reward}
        body = _("Enjoy it, and thank you for sharing.")
    else:
        title = _("Your reward request was refused: %(reward)s") % {"reward": reward}
        body = _short(redemption.reason) + " " + _("Your points are back.")
    return Message(title=title, body=body.strip(), url=reverse("rewards:mine"))


def idea_decided(idea: Any, tz: dt.tzinfo) -> Message:
    """The author's idea was accepted, declined (with the reason) or merged."""
    name = _short(idea.title, 120)
    if idea.status == "accepted":
        title = _("Your idea was accepted: %(title)s") % {"title": name}
        body = _("Thank you: it earns you points.")
    elif idea.status == "merged":
        title = _("Your idea joined a similar one: %(title)s") % {"title": name}
        body = _("Its votes now count for the other idea.")
    else:
        title = _("Your idea was declined: %(title)s") % {"title": name}
        body = _short(idea.decision_reason)
    target = idea.merged_into_id if idea.status == "merged" and idea.merged_into_id else idea.pk
    return Message(title=title, body=body, url=reverse("ideas:idea", args=[target]))


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


def badge_earned(badge: Any, tz: dt.tzinfo) -> Message:
    return Message(
        title=_("You earned a badge: %(name)s") % {"name": _short(badge.label, 150)},
        body=_short(badge.explanation),
        url=reverse("recognition:me") + "#my-badges",
    )


def goal_reached(goal: Any, tz: dt.tzinfo) -> Message:
    target = goal.target
    if target == target.to_integral_value():
        target = target.to_integral_value()
    return Message(
        title=_("Goal reached: %(name)s") % {"name": _short(goal.name, 150)},
        body=_("The target of %(target)s was reached. Thank you to everyone who took part!")
        % {"target": formats.number_format(target, force_grouping=True)},
        url=reverse("analytics:goals"),
    )


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
