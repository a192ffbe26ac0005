"""Erasure (docs/decisions/0022-erasure.md): on the person's request, by an administrator
for someone who left, or by the periodic job N days after someone left.

One transaction per person: accounts moves the membership onto a pseudonymous account
("Former member #<short id>") and empties its own rows, then each app deletes or
pseudonymizes what it holds (its `member_erase` service), the audit log is scrubbed of the
person's words, their login is deleted when no other organization holds it, and one audit
entry records the erasure (who asked, when; no data). Every row a figure is counted on
(shares, tracked links, clicks, points, posts...) stays on the same membership, so every
total and rollup is exactly the same after as before.

Idempotent: the membership is locked and an erased one is left alone, so a second request,
a retried task or two workers erase it once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from portevoix.accounts import selectors_my_data as account_data
from portevoix.accounts import services as account_services
from portevoix.accounts.permissions import require
from portevoix.analytics import services as analytics_services
from portevoix.content.services import erasure as content_erasure
from portevoix.core import clock
from portevoix.core.erasure import ErasedPerson
from portevoix.core.errors import Conflict
from portevoix.core.tenancy import scoped
from portevoix.governance import gates
from portevoix.governance.services import erasure as governance_erasure
from portevoix.ideas.services import erasure as idea_erasure
from portevoix.notifications import services_erasure as notification_erasure
from portevoix.publishing.services import erasure as publishing_erasure
from portevoix.recognition.services import erasure as recognition_erasure
from portevoix.rewards.services import erasure as reward_erasure
from portevoix.sharing.services import erasure as sharing_erasure
from portevoix.surveys.services import erasure as survey_erasure
from portevoix.training.services import erasure as training_erasure

from .models import DataExport

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger(__name__)

ERASE_ACTION = "privacy.erase"
SELF, ADMIN, SCHEDULE = "self", "admin", "schedule"
LEAVE_REASON = "erasure"


def _exports_erase(person: ErasedPerson) -> int:
    """Privacy's own part: the person's archives and their files."""
    from .services import private_storage

    exports = scoped(DataExport, person.organization_id).filter(membership_id=person.membership_id)
    names = [name for name in exports.values_list("file_name", flat=True) if name]
    deleted, _rows = exports.delete()

    def delete_files() -> None:
        for name in names:
            private_storage().delete(name)

    if names:
        transaction.on_commit(delete_files)
    return deleted


# Each app's part, in order (accounts' comes first and last, the audit log's after all).
# The apps no app imports (scim's directory records, planning's calendar feed tokens) do
# theirs on `accounts.signals.member_erasing`, sent by `member_erase_begin`.
STEPS: list[tuple[str, Callable[..., Any]]] = [
    ("content", content_erasure.member_erase),
    ("sharing", sharing_erasure.member_erase),
    ("publishing", publishing_erasure.member_erase),
    ("analytics", analytics_services.member_erase),
    ("recognition", recognition_erasure.member_erase),
    ("rewards", reward_erasure.member_erase),
    ("ideas", idea_erasure.member_erase),
    ("surveys", survey_erasure.member_erase),
    ("training", training_erasure.member_erase),
    ("notifications", notification_erasure.member_erase),
    ("privacy", lambda *, person: _exports_erase(person)),
    ("governance", governance_erasure.member_erase),
]


def _erase(membership: Membership, *, requested_by: str, actor: Any) -> bool:
    """Erase inside the caller's transaction. False when it was already erased."""
    person = account_services.member_erase_begin(membership=membership)
    if person is None:
        return False
    for _app, erase in STEPS:
        erase(person=person)
    if account_services.member_erase_finish(person=person):
        notification_erasure.suppression_forget(email=person.email)
    gates.audit_record(
        organization=person.organization_id,
        # The person themselves is recorded under their pseudonym: no name in the log.
        actor=account_services.placeholder_user(person=person) if actor is SELF else actor,
        action="privacy.member_erased",
        object_type="privacy_member",
        object_id=person.membership_id,
        before=None,
        after={"requested_by": requested_by},
    )
    logger.info(
        "member_erased organization=%s requested_by=%s",
        person.organization_id,
        requested_by,
        extra={"event": "member_erased", "organization_id": person.organization_id},
    )
    return True


def erase_own(*, membership: Membership) -> bool:
    """The person asks to erase their data in this organization: a person still active
    leaves first (they lose access at once; the last administrator cannot, Conflict), then
    everything is erased. True when erased now."""
    with transaction.atomic():
        if membership.is_active:
            account_services.member_deprovision(membership=membership, reason=LEAVE_REASON)
        return _erase(membership, requested_by=SELF, actor=SELF)


def erase_member(*, actor: Membership, membership_id: int) -> bool:
    """An administrator (`privacy.erase`) erases a person of their organization who left
    (anyone else's: NotFound; someone still active: Conflict, deactivate them first)."""
    require(actor, ERASE_ACTION)
    target = account_data.leaver(organization=actor.organization, membership_id=membership_id)
    if target.is_active:
        raise Conflict(_("Deactivate this person first: only people who left can be erased."))
    with transaction.atomic():
        return _erase(target, requested_by=ADMIN, actor=actor)


def erasures_run(*, now: dt.datetime | None = None) -> int:
    """The periodic erasure: everyone who left more than their organization's delay ago.
    One transaction per person; returns how many were erased now."""
    now = now or clock.now()
    done = 0
    for membership in account_data.leavers_due(now=now):
        try:
            with transaction.atomic():
                done += _erase(membership, requested_by=SCHEDULE, actor=None)
        except Exception as exc:  # one person's failure must not stop the others
            logger.warning(
                "member_erase_failed organization=%s error=%s",
                membership.organization_id,
                type(exc).__name__,
                extra={
                    "event": "member_erase_failed",
                    "organization_id": membership.organization_id,
                },
            )
    return done


def erasure_delay_set(*, actor: Membership, days: int) -> bool:
    """An administrator (`privacy.erase`) sets how many days after leaving a person's data
    is erased (0: only on request). Audited with the old and new delay."""
    require(actor, ERASE_ACTION)
    organization = actor.organization
    before = organization.erase_after_days
    with transaction.atomic():
        changed = account_services.organization_erasure_set(
            organization=organization, erase_after_days=days
        )
        if changed:
            gates.audit_record(
                organization=organization,
                actor=actor,
                action="privacy.erasure_delay",
                object_type="accounts.organization",
                object_id=organization.pk,
                before={"erase_after_days": before},
                after={"erase_after_days": organization.erase_after_days},
            )
    return changed
