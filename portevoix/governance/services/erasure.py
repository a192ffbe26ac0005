"""A person's erasure, governance's part (docs/decisions/0022-erasure.md): the audit log
keeps every row, its action and its time, but no longer the person's words (name, email,
title...: replaced by their pseudonym, and the entries they made point to the pseudonymous
account); the moderation cases about their texts lose the texts."""

from __future__ import annotations

import json

from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Cast

from portevoix.core.erasure import ErasedPerson
from portevoix.core.tenancy import scoped

from ..db import scrub_unlocked
from ..models import AuditEntry, ModerationCase


def _needles(word: str) -> list[str]:
    # SQLite keeps JSON with non-ASCII letters escaped ("Ren\\u00e9"), PostgreSQL as is.
    escaped = json.dumps(word)[1:-1]
    return [word] if escaped == word else [word, escaped]


def member_erase(*, person: ErasedPerson) -> int:
    """Scrub the person from the organization's audit log and moderation cases. Returns how
    many audit rows changed. Call inside the erasure's transaction."""
    rows = scoped(AuditEntry, person.organization_id).annotate(
        before_text=Cast("before", models.TextField()),
        after_text=Cast("after", models.TextField()),
    )
    match = Q(actor_id=person.user_id)
    for word in person.words:
        for needle in _needles(word):
            match |= (
                Q(before_text__icontains=needle)
                | Q(after_text__icontains=needle)
                | Q(actor_label__icontains=needle)
            )
    placeholder_label = f"{person.pseudonym}"
    changed = 0
    # The plain queryset: the model's manager refuses any change on purpose.
    plain: models.QuerySet[AuditEntry] = models.QuerySet(model=AuditEntry)
    with scrub_unlocked(connection):
        for entry in rows.filter(match).only("pk", "actor_id", "actor_label", "before", "after"):
            fields: dict[str, object] = {
                "before": person.scrub(entry.before),
                "after": person.scrub(entry.after),
                "actor_label": person.scrub(entry.actor_label),
            }
            if entry.actor_id == person.user_id:
                fields["actor_id"] = person.placeholder_user_id
                fields["actor_label"] = placeholder_label
            plain.filter(pk=entry.pk).update(**fields)
            changed += 1
    cases = scoped(ModerationCase, person.organization_id)
    cases.filter(author_id=person.membership_id).update(text="", removal_note="")
    for case in cases.filter(
        Q(author_id=person.membership_id) | Q(reported_by_id=person.membership_id)
    ).only("pk", "flag_reason", "decision_reason"):
        cases.filter(pk=case.pk).update(
            flag_reason=person.scrub(case.flag_reason),
            decision_reason=person.scrub(case.decision_reason),
        )
    return changed
