"""A listening spike alert, told to the people who manage listening (decision 0027).

Listening sits at the top of the apps (none imports it), so it announces an alert through
`core.signals.listening_alert` with plain data; `receivers.py` calls `listening_alert` here.
The community managers and admins (the roles with `listening.manage`) get, each once per
alert (dedupe key `listening:<alert id>`): an in-app notification (pushed by the usual
rules), an email in their language (only with the in-app one, so never twice), and the
organization's Slack or Teams channels that take the "listening alerts" event get one message
each (`ChatDelivery` unique per channel and key). Every message links to the alerts page and,
in one click, to the crisis pause with the reason filled in.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from urllib.parse import urlencode

from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.roles import ROLE_ACTIONS

from . import messages, services
from .chat import delivery as chat_delivery
from .chat import selectors as chat_selectors
from .chat.messages import ChatMessage, absolute
from .models import Kind, Notification
from .models_chat import ChatEvent

logger = logging.getLogger("portevoix.notifications")


class Alert:
    """The signal's data, and the words for it in the active language."""

    def __init__(self, **data: Any) -> None:
        self.organization_id = int(data["organization_id"])
        self.alert_id = int(data["alert_id"])
        self.kind = str(data["kind"])
        self.monitor = str(data["monitor"])[:80]
        hour = data["hour"]
        self.hour = hour if isinstance(hour, dt.datetime) else dt.datetime.now(dt.UTC)
        self.count = int(data.get("count") or 0)
        self.baseline = float(data.get("baseline") or 0)
        self.negatives = int(data.get("negatives") or 0)
        self.negative_share = float(data.get("negative_share") or 0)
        self.baseline_share = float(data.get("baseline_share") or 0)
        self.alerts_path = str(data.get("alerts_path") or "/")
        self.pause_path = str(data.get("pause_path") or "/")

    @property
    def when(self) -> str:
        return f"{self.hour:%Y-%m-%d %H:00} UTC"

    def title(self) -> str:
        if self.kind == "negative":
            return _("Negative mentions of “%(monitor)s” are rising") % {"monitor": self.monitor}
        return _("Spike of mentions of “%(monitor)s”") % {"monitor": self.monitor}

    def body(self) -> str:
        if self.kind == "negative":
            return _(
                "%(negatives)d negative mentions in the hour of %(when)s: %(share)d %% of "
                "those with a sentiment, against %(base)d %% over the 7 days before."
            ) % {
                "negatives": self.negatives,
                "when": self.when,
                "share": round(self.negative_share * 100),
                "base": round(self.baseline_share * 100),
            }
        return _(
            "%(count)d mentions in the hour of %(when)s, against a median of %(median)s an "
            "hour over the 7 days before."
        ) % {"count": self.count, "when": self.when, "median": f"{self.baseline:g}"}

    def reason(self, limit: int = 80) -> str:
        monitor = self.monitor if len(self.monitor) <= limit else self.monitor[: limit - 1] + "…"
        if self.kind == "negative":
            text = _(
                "Listening alert: negative mentions of “%(monitor)s” rose sharply (%(hour)s UTC)."
            )
        else:
            text = _("Listening alert: spike of mentions of “%(monitor)s” (%(hour)s UTC).")
        return text % {"monitor": monitor, "hour": f"{self.hour:%Y-%m-%d %H:00}"}

    def pause_link(self) -> str:
        """The crisis pause with the reason filled in; within a notification's 500 characters
        (a long name, encoded, is shortened rather than the link cut)."""
        for limit in (80, 40, 12):
            link = f"{self.pause_path}?{urlencode({'reason': self.reason(limit)})}"
            if len(link) <= 500:
                break
        return link


def _managers(organization_id: int) -> Any:
    """The active community managers and admins (the roles with `listening.manage`)."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if "listening.manage" in actions]
    return account_selectors.active_members_with_roles(organization_id=organization_id, roles=roles)


def listening_alert(**data: Any) -> int:
    """Notify, email and post the alert; returns the in-app notifications created."""
    alert = Alert(**data)
    key = f"listening:{alert.alert_id}"

    def build(tz: dt.tzinfo) -> messages.Message:
        return messages.Message(title=alert.title(), body=alert.body(), url=alert.pause_link())

    created = services.notify(
        organization_id=alert.organization_id,
        membership_ids=list(_managers(alert.organization_id).values_list("pk", flat=True)),
        kind=Kind.LISTENING_ALERT,
        dedupe_key=key,
        build=build,
    )
    _email(alert, created)
    _chat(alert, key)
    return len(created)


def _email(alert: Alert, notification_ids: list[int]) -> None:
    """An email to each member who got the in-app notice just now (so at most once)."""
    members = list(
        Notification.objects.filter(pk__in=notification_ids).values_list("membership_id", flat=True)
    )
    if not members:
        return
    locales = account_selectors.member_locales(
        organization_id=alert.organization_id, membership_ids=members
    )
    for membership in _managers(alert.organization_id).filter(pk__in=members):
        if not membership.user.email:
            continue
        with translation.override(locales.get(membership.pk, ("en", ""))[0]):
            body = "\n\n".join(
                [
                    alert.body(),
                    _("Open the alerts: %(url)s") % {"url": absolute(alert.alerts_path)},
                    _("Pause publishing, in one click: %(url)s")
                    % {"url": absolute(alert.pause_link())},
                ]
            )
            try:
                send_mail(alert.title(), body, None, [membership.user.email])
            except Exception:
                logger.exception(
                    "listening_alert_email_failed",
                    extra={"organization_id": alert.organization_id},
                )


def _chat(alert: Alert, key: str) -> None:
    channels = chat_selectors.enabled_connections(
        organization_id=alert.organization_id, event=ChatEvent.LISTENING
    )

    def build() -> ChatMessage:
        return ChatMessage(
            title=alert.title(),
            text=alert.body(),
            buttons=[
                (_("See the alerts"), absolute(alert.alerts_path)),
                (_("Pause publishing"), absolute(alert.pause_link())),
            ],
        )

    chat_delivery.deliveries_create(
        organization_id=alert.organization_id,
        event=ChatEvent.LISTENING,
        key=key,
        build=build,
        connections=channels,
    )


def mention_assigned(
    *,
    organization_id: int,
    assignee_id: int,
    key: str,
    actor_name: str,
    excerpt: str,
    inbox_path: str,
    **unused: Any,
) -> int:
    """Tell a member that a colleague gave them a mention of the vigilance inbox (in-app,
    pushed by the usual rules); returns the notifications created (0 or 1)."""
    text = " ".join(str(excerpt).split())

    def build(tz: dt.tzinfo) -> messages.Message:
        return messages.Message(
            title=_("%(name)s assigned you a mention") % {"name": str(actor_name)[:80]},
            body=f"“{text[:137] + '…' if len(text) > 140 else text}”",
            url=str(inbox_path)[:500],
        )

    created = services.notify(
        organization_id=organization_id,
        membership_ids=[assignee_id],
        kind=Kind.LISTENING_ASSIGNED,
        dedupe_key=key,
        build=build,
    )
    return len(created)
