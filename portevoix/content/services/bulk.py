"""Bulk actions on the items checked in the library: each item goes through the per-item
service (its permissions and rules), in its own transaction, and the report says for each
one whether it was done or refused, and why. One refusal never undoes the others."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portevoix.core.errors import DomainError, PermissionDenied

from .. import selectors_library
from ..models import ContentItem
from . import item_archive, item_submit
from .library import item_add_topic, item_set_campaign, item_set_template

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# The actions, with their label (the form's choices and the report's title).
ACTIONS: dict[str, Any] = {
    "submit": gettext_lazy("Submit for review"),
    "archive": gettext_lazy("Archive"),
    "campaign": gettext_lazy("Move to a campaign"),
    "topic": gettext_lazy("Add a topic"),
    "template": gettext_lazy("Mark as template"),
    "untemplate": gettext_lazy("Unmark as template"),
}
MAX_ITEMS = 200  # per request: a page of the library is 20 to 100


@dataclass(frozen=True)
class BulkResult:
    item_id: int
    title: str
    done: bool
    reason: str = ""  # why it was refused


def _reason(exc: DomainError) -> str:
    if isinstance(exc, PermissionDenied) and exc.message.startswith("Not allowed:"):
        return _("You are not allowed to do this.")  # `require`'s message is for logs
    messages = [exc.message]
    for field_messages in exc.field_errors.values():
        messages.extend(m for m in field_messages if m not in messages)
    return " ".join(messages)


def bulk_apply(
    *,
    membership: Membership,
    action: str,
    item_ids: Iterable[int],
    campaign_id: int | None = None,
    topic_id: int | None = None,
) -> list[BulkResult]:
    """Apply `action` (a key of ACTIONS) to each item of `item_ids`, in the given order,
    each in its own transaction; one result per item (duplicates counted once)."""
    if action not in ACTIONS:
        raise DomainError(_("Unknown action."), field_errors={"action": [_("Unknown action.")]})
    ids = list(dict.fromkeys(item_ids))
    if not ids:
        raise DomainError(
            _("Check at least one item."), field_errors={"items": [_("No item checked.")]}
        )
    if len(ids) > MAX_ITEMS:
        raise DomainError(
            _("At most %(n)d items at a time.") % {"n": MAX_ITEMS},
            field_errors={"items": [_("Too many items.")]},
        )
    if action == "topic" and topic_id is None:
        raise DomainError(_("Choose a topic."), field_errors={"topic": [_("Choose a topic.")]})
    steps: dict[str, Callable[[ContentItem], object]] = {
        "submit": lambda item: item_submit(membership=membership, item=item),
        "archive": lambda item: item_archive(membership=membership, item=item),
        "campaign": lambda item: item_set_campaign(
            membership=membership, item=item, campaign_id=campaign_id
        ),
        "topic": lambda item: item_add_topic(
            membership=membership, item=item, topic_id=topic_id or 0
        ),
        "template": lambda item: item_set_template(
            membership=membership, item=item, is_template=True
        ),
        "untemplate": lambda item: item_set_template(
            membership=membership, item=item, is_template=False
        ),
    }
    step = steps[action]
    try:
        items = selectors_library.items_for_bulk(membership=membership, item_ids=ids)
    except DomainError as exc:  # may not even see the library: every item is refused
        return [BulkResult(pk, "", False, _reason(exc)) for pk in ids]
    results = []
    for pk in ids:
        item = items.get(pk)
        if item is None:
            results.append(BulkResult(pk, "", False, _("Not found.")))
            continue
        try:
            step(item)  # each per-item service is atomic: its own transaction
        except DomainError as exc:
            results.append(BulkResult(pk, item.title, False, _reason(exc)))
        else:
            results.append(BulkResult(pk, item.title, True))
    return results
