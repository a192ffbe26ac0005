"""A person's erasure, the idea box's part (docs/decisions/0022-erasure.md): their ideas
stay (others voted and commented on them, an accepted one may have become content) but
lose their title, text, link and pictures; their comments lose their text; their votes stay
on the pseudonymous membership, so every count is unchanged."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from portevoix.core.erasure import ErasedPerson
from portevoix.core.tenancy import scoped

from ..models import Idea, IdeaComment, IdeaImage


def member_erase(*, person: ErasedPerson) -> int:
    """Empty the person's ideas and comments; returns how many ideas changed."""
    org = person.organization_id
    with translation.override(person.language):
        title = _("Idea of %(name)s (erased)") % {"name": person.pseudonym}
    ideas = scoped(Idea, org).filter(author_id=person.membership_id)
    images = list(IdeaImage.objects.filter(idea__in=ideas))
    names = [image.file.name for image in images if image.file]
    storage = IdeaImage._meta.get_field("file").storage
    IdeaImage.objects.filter(pk__in=[image.pk for image in images]).delete()

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    changed = ideas.update(title=title[:200], body="", link="")
    scoped(Idea, org).filter(
        Q(decided_by_id=person.membership_id) | Q(author_id=person.membership_id)
    ).exclude(decision_reason="").update(decision_reason="")
    scoped(IdeaComment, org).filter(author_id=person.membership_id).update(body="")
    return changed
