"""The approval workflow's side writes: the snapshot of each approved revision (the base of the
reviewers' diff), the review due date, the emails to the author and the approvers' reminders.

`item_submit`, `item_approve` and `item_request_changes` (in `services/__init__.py`) call the
hooks below inside their transaction; every email leaves through the huey queue once the
transaction has committed, never inside a request, and at most once (`ReviewEmail.key`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.roles import ROLE_ACTIONS
from portevoix.core import clock
from portevoix.core.errors import DomainError

from .. import selectors
from ..diff import item_snapshot
from ..models import ContentItem, ItemRevision, ReviewEmail, State, Transition

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# An item is "due soon" when its review is due within this delay (or overdue): the reminder.
REMINDER_HORIZON = dt.timedelta(days=1)
# The roles that may sign: only their holders are reminded (`approvals_waiting_for` then says
# what waits for each).
APPROVING_ROLES = tuple(
    role
    for role, actions in ROLE_ACTIONS.items()
    if {"content.approve", "content.approve_final"} & actions
)


# --- Snapshots of approved revisions


def revision_snapshot_record(*, item: ContentItem) -> ItemRevision:
    """Keep the approved revision's content (called by `item_approve`, in its transaction,
    when the item becomes approved). Idempotent per (item, revision)."""
    revision, _created = ItemRevision.objects.update_or_create(
        item=item,
        revision=item.revision,
        defaults={"snapshot": item_snapshot(item), "approved_at": clock.now()},
    )
    return revision


# --- The review due date


def review_due_for(
    *, membership: Membership, due_at: dt.datetime | None, now: dt.datetime | None = None
) -> dt.datetime:
    """The due date of a submission: the author's, when given (in the future, with a time
    zone), else now plus the organization's number of review days."""
    now = now or clock.now()
    if due_at is None:
        return now + dt.timedelta(days=membership.organization.review_days)
    if due_at.tzinfo is None:
        raise DomainError(
            _("The date needs a time zone."),
            field_errors={"review_due_at": [_("The date needs a time zone.")]},
        )
    if due_at <= now:
        raise DomainError(
            _("The review due date must be in the future."),
            field_errors={"review_due_at": [_("Choose a date in the future.")]},
        )
    return due_at


# --- Emails to the author


def author_email_queue(*, transition: Transition) -> None:
    """Queue the author's email about an approval or a request for changes, once the
    transaction commits."""
    transition_id = transition.pk
    transaction.on_commit(lambda: _queue_author_email(transition_id))


def _queue_author_email(transition_id: int) -> None:
    from ..tasks import send_review_outcome_email

    send_review_outcome_email(transition_id)


def _language_of(user: Any, organization: Any) -> str:
    return user.language or organization.default_language or "en"


def _item_url(item: ContentItem) -> str:
    return settings.SITE_URL + reverse("content:item", args=[item.pk])


def _claim(key: str, item: ContentItem, recipient_id: int, kind: str) -> bool:
    """Record that the email `key` goes out; False when it already went."""
    try:
        with transaction.atomic():
            ReviewEmail.objects.create(
                key=key, item=item, recipient_id=recipient_id, kind=kind, sent_at=clock.now()
            )
    except IntegrityError:
        return False
    return True


@transaction.atomic
def review_outcome_email_send(*, transition_id: int) -> bool:
    """Email the author that their item was approved, or that changes were requested (with
    the comment), in the author's language. At most once per transition; nothing for an
    item without author or another kind of transition. Returns whether an email went out."""
    transition = (
        Transition.objects.select_related("item__organization", "item__author", "actor")
        .filter(pk=transition_id, action__in=["approve", "request_changes"])
        .first()
    )
    if transition is None:
        return False
    item = transition.item
    author = item.author
    if author is None or not author.email:
        return False
    approved = transition.action == "approve"
    if approved and transition.to_state == State.IN_REVIEW:
        return False  # one approval among several: the item is not approved yet
    if not _claim(f"outcome:{transition.pk}", item, author.pk, transition.action):
        return False
    who = transition.actor.display_name if transition.actor else "Portevoix"
    with translation.override(_language_of(author, item.organization)):
        if approved:
            subject = _("Approved: %(title)s") % {"title": item.title}
            body = _(
                "%(who)s approved your item “%(title)s”. It reaches the ambassadors on its "
                "publication date.\n\n%(url)s"
            ) % {"who": who, "title": item.title, "url": _item_url(item)}
        else:
            subject = _("Changes requested: %(title)s") % {"title": item.title}
            body = _(
                "%(who)s asks for changes to your item “%(title)s”:\n\n%(comment)s\n\n"
                "Edit it, then submit it again: %(url)s"
            ) % {
                "who": who,
                "title": item.title,
                "comment": transition.comment,
                "url": _item_url(item),
            }
    if transition.comment and approved:
        body += "\n\n" + transition.comment
    send_mail(subject, body, None, [author.email])
    return True


# --- Reminders to the approvers


def review_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Email each approver whose queue holds items due within a day or overdue, listing
    them; at most once per item, approver and day (`ReviewEmail.key`). Items already
    approved, sent back or archived are not in review, hence never reminded.
    Returns how many emails went out."""
    now = now or clock.now()
    horizon = now + REMINDER_HORIZON
    sent = 0
    for organization_id in selectors.organizations_with_reviews_due(before=horizon):
        approvers = account_selectors.active_members_with_roles(
            organization_id=organization_id, roles=APPROVING_ROLES
        )
        for membership in approvers:
            sent += int(_remind(membership, horizon, now))
    return sent


@transaction.atomic
def _remind(membership: Membership, horizon: dt.datetime, now: dt.datetime) -> bool:
    due = list(
        selectors.approvals_waiting_for(membership=membership).filter(review_due_at__lte=horizon)[
            :50
        ]
    )
    day = now.date().isoformat()
    user = membership.user
    fresh = [
        item
        for item in due
        if _claim(f"reminder:{item.pk}:{user.pk}:{day}", item, user.pk, "reminder")
    ]
    if not fresh or not user.email:
        return False
    with translation.override(_language_of(user, membership.organization)):
        subject = ngettext(
            "%(n)d item waits for your approval",
            "%(n)d items wait for your approval",
            len(fresh),
        ) % {"n": len(fresh)}
        lines = []
        for item in fresh:
            due_at = item.review_due_at
            if due_at is not None and due_at <= now:
                when = _("overdue since %(date)s") % {"date": due_at.strftime("%Y-%m-%d %H:%M")}
            else:
                when = _("due %(date)s") % {
                    "date": due_at.strftime("%Y-%m-%d %H:%M") if due_at else "—"
                }
            lines.append(f"- {item.title} ({when})")
        body = (
            _("These items wait for your approval:")
            + "\n\n"
            + "\n".join(lines)
            + "\n\n"
            + _("Your queue: %(url)s") % {"url": settings.SITE_URL + reverse("content:approvals")}
        )
    send_mail(subject, body, None, [user.email])
    return True
