"""Charter versions: drafts, publication, acknowledgements (each audited)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import clock
from portevoix.core.errors import Conflict, DomainError, NotFound
from portevoix.core.tenancy import scoped

from .. import selectors
from ..gates import audit_record
from ..models import (
    CharterAcknowledgement,
    CharterStatus,
    CharterVersion,
)

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

MAX_CHARTER_CHARS = 100_000
MAX_SUMMARY_CHARS = 5_000


def _charter_snapshot(version: CharterVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "status": version.status,
        "body_fr": version.body_fr,
        "body_en": version.body_en,
        "summary_of_changes": version.summary_of_changes,
    }


def _validate_bodies(body_fr: str, body_en: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, body in (("body_fr", body_fr), ("body_en", body_en)):
        if len(body) > MAX_CHARTER_CHARS:
            errors[name] = [_("At most %(max)d characters.") % {"max": MAX_CHARTER_CHARS}]
    return errors


def _draft(version: CharterVersion) -> CharterVersion:
    locked = CharterVersion.objects.select_for_update().get(pk=version.pk)
    if not locked.is_draft:
        raise Conflict(_("A published version never changes: write a new version instead."))
    return locked


@transaction.atomic
def charter_draft_create(
    *, actor: Membership, body_fr: str | None = None, body_en: str | None = None
) -> CharterVersion:
    """Start the next version, as a draft. Without bodies, it starts from the current
    version's text. There is at most one draft at a time."""
    require(actor, "charter.manage")
    org = actor.organization
    # Serialize concurrent creations on the organization row.
    type(org).objects.select_for_update().filter(pk=org.pk).first()
    existing = scoped(CharterVersion, org).filter(status=CharterStatus.DRAFT)
    if existing.exists():
        raise Conflict(_("A draft version exists already: edit it or delete it first."))
    current = selectors.current_charter(org)
    body_fr = body_fr if body_fr is not None else (current.body_fr if current else "")
    body_en = body_en if body_en is not None else (current.body_en if current else "")
    errors = _validate_bodies(body_fr, body_en)
    if errors:
        raise DomainError(_("The charter has errors."), field_errors=errors)
    highest = scoped(CharterVersion, org).aggregate(n=Max("number"))["n"]
    version = CharterVersion.objects.create(
        organization=org,
        number=(highest or 0) + 1,
        body_fr=body_fr,
        body_en=body_en,
        created_by=actor.user,
    )
    audit_record(
        organization=org,
        actor=actor,
        action="charter.draft_create",
        object_type="governance.charterversion",
        object_id=version.pk,
        before=None,
        after=_charter_snapshot(version),
    )
    return version


@transaction.atomic
def charter_draft_update(
    *, actor: Membership, version: CharterVersion, body_fr: str, body_en: str
) -> CharterVersion:
    require(actor, "charter.manage", version)
    version = _draft(version)
    errors = _validate_bodies(body_fr, body_en)
    if errors:
        raise DomainError(_("The charter has errors."), field_errors=errors)
    before = _charter_snapshot(version)
    version.body_fr = body_fr
    version.body_en = body_en
    version.save(update_fields=["body_fr", "body_en", "updated_at"])
    if before != _charter_snapshot(version):
        audit_record(
            organization=version.organization,
            actor=actor,
            action="charter.draft_update",
            object_type="governance.charterversion",
            object_id=version.pk,
            before=before,
            after=_charter_snapshot(version),
        )
    return version


@transaction.atomic
def charter_draft_delete(*, actor: Membership, version: CharterVersion) -> None:
    require(actor, "charter.manage", version)
    version = _draft(version)
    before = _charter_snapshot(version)
    pk = version.pk
    version.delete()
    audit_record(
        organization=actor.organization,
        actor=actor,
        action="charter.draft_delete",
        object_type="governance.charterversion",
        object_id=pk,
        before=before,
        after=None,
    )


@transaction.atomic
def charter_publish(
    *, actor: Membership, version: CharterVersion, summary_of_changes: str
) -> CharterVersion:
    """Publish a draft: it becomes the current charter, and every member is asked to read
    and accept it (the summary of changes says what is new)."""
    require(actor, "charter.manage", version)
    version = _draft(version)
    summary = summary_of_changes.strip()
    errors: dict[str, list[str]] = {}
    if not version.body_fr.strip() and not version.body_en.strip():
        errors["body_fr"] = [_("Write the charter in French, in English or both.")]
    previous = selectors.current_charter(version.organization)
    if previous is not None and not summary:
        errors["summary_of_changes"] = [_("Say what changed since version %(number)s.")]
        errors["summary_of_changes"][0] %= {"number": previous.number}
    if len(summary) > MAX_SUMMARY_CHARS:
        errors["summary_of_changes"] = [
            _("At most %(max)d characters.") % {"max": MAX_SUMMARY_CHARS}
        ]
    if errors:
        raise DomainError(_("This version cannot be published yet."), field_errors=errors)
    before = _charter_snapshot(version)
    version.summary_of_changes = summary
    version.status = CharterStatus.PUBLISHED
    version.published_at = clock.now()
    version.published_by = actor.user
    version.save(
        update_fields=[
            "summary_of_changes",
            "status",
            "published_at",
            "published_by",
            "updated_at",
        ]
    )
    audit_record(
        organization=version.organization,
        actor=actor,
        action="charter.publish",
        object_type="governance.charterversion",
        object_id=version.pk,
        before=before,
        after=_charter_snapshot(version),
    )
    return version


def charter_acknowledge(
    *, membership: Membership, version: CharterVersion | None = None
) -> CharterAcknowledgement:
    """The member read and accepts the current charter. `version` (when given) must be the
    current one: accepting a version that was just replaced is refused (409)."""
    require(membership, "charter.acknowledge")
    current = selectors.current_charter(membership.organization)
    if current is None:
        raise NotFound(_("The organization has not published a charter yet."))
    if version is not None and version.pk != current.pk:
        raise Conflict(_("A newer version of the charter was published: read it before accepting."))
    existing = CharterAcknowledgement.objects.filter(membership=membership, version=current)
    found = existing.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return CharterAcknowledgement.objects.create(
                organization=membership.organization,
                membership=membership,
                version=current,
                at=clock.now(),
            )
    except IntegrityError:  # accepted twice at the same moment
        return existing.get()
