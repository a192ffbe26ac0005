"""A person's erasure, content's part (docs/decisions/0022-erasure.md): the items they wrote
are the organization's content and stay (on the pseudonymous membership); the comments they
wrote in the review history lose their text and point to the pseudonymous account; the
record of review emails sent to them goes."""

from __future__ import annotations

from portevoix.core.erasure import ErasedPerson
from portevoix.core.tenancy import scoped

from ..models import ContentItem, ReviewEmail, Transition


def member_erase(*, person: ErasedPerson) -> int:
    """Scrub the person's review comments; returns how many changed."""
    org = person.organization_id
    changed = 0
    for transition in (
        Transition.objects.filter(item__in=scoped(ContentItem, org), actor_id=person.user_id)
        .only("pk", "comment")
        .iterator()
    ):
        Transition.objects.filter(pk=transition.pk).update(
            comment="", actor_id=person.placeholder_user_id
        )
        changed += 1
    for transition in (
        Transition.objects.filter(item__in=scoped(ContentItem, org))
        .exclude(comment="")
        .only("pk", "comment")
    ):
        if person.mentions(transition.comment):
            Transition.objects.filter(pk=transition.pk).update(
                comment=person.scrub(transition.comment)
            )
    items = scoped(ContentItem, org)
    ReviewEmail.objects.filter(item__in=items, recipient_id=person.user_id).delete()
    return changed
