"""The writes on a whole organization's data (docs/decisions/0024-organization-data.md):

- its archive: asked for by an administrator (`org.export`), prepared by the worker, offered
  to the administrators for PRIVACY_EXPORT_DAYS, then deleted;
- its deletion: asked for by an administrator (`org.delete`) who types the organization's
  name. Access ends at once (every membership closed), then the worker deletes every row
  of every table (`core.org_data.purge`, with the audit log's one allowed deletion), the
  accounts of people who belong to no other organization, and the files. What stays is an
  `OrganizationDeletion` row: the id, the dates and the counts, no name and no person.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from portevoix.accounts import services as account_services
from portevoix.accounts.permissions import require
from portevoix.core import clock, org_data
from portevoix.core.errors import DomainError, NotFound
from portevoix.core.tenancy import get_scoped, scoped
from portevoix.governance import gates

from . import organization_archive
from .models import ExportState, OrganizationDeletion, OrganizationExport
from .services import export_days, private_storage

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger(__name__)


def _audit(actor: Membership, action: str, export: OrganizationExport) -> None:
    gates.audit_record(
        organization=actor.organization_id,
        actor=actor,
        action=action,
        object_type="organization_export",
        object_id=str(export.pk),
        before=None,
        after=None,
    )


def org_export_request(*, actor: Membership) -> OrganizationExport:
    """A new archive of the organization, or the one being prepared (asking twice while it
    is prepared changes nothing). Audited once per archive."""
    require(actor, "org.export")
    with transaction.atomic():
        pending = (
            scoped(OrganizationExport, actor.organization_id)
            .select_for_update()
            .filter(state=ExportState.PENDING)
            .first()
        )
        if pending is not None:
            return pending
        try:
            with transaction.atomic():
                export = OrganizationExport.objects.create(
                    organization_id=actor.organization_id,
                    requested_by=actor,
                    requested_at=clock.now(),
                )
        except IntegrityError:  # a concurrent request made it first
            return scoped(OrganizationExport, actor.organization_id).get(state=ExportState.PENDING)
        _audit(actor, "privacy.org_export_requested", export)
        export_id = str(export.pk)

        def queue() -> None:
            from . import tasks

            tasks.prepare_org_export(export_id)

        transaction.on_commit(queue)
    return export


def org_export_prepare(*, export_id: str) -> str:
    """Build one pending archive (worker). Anything but a pending archive is left alone, so a
    retried task does nothing twice. Returns the archive's state."""
    export = (
        OrganizationExport.objects.select_related("organization", "requested_by__user")
        .filter(pk=export_id)
        .first()
    )
    if export is None:
        return "gone"
    if export.state != ExportState.PENDING:
        return str(export.state)
    organization = export.organization
    requester = export.requested_by
    language = (requester.user.language if requester else "") or organization.default_language
    now = clock.now()
    try:
        with translation.override(language):
            spool, counts = organization_archive.build(organization, now)
    except Exception as exc:
        logger.warning(
            "privacy_org_export_failed organization=%s error=%s",
            organization.pk,
            type(exc).__name__,
            extra={"event": "privacy_org_export_failed", "organization_id": organization.pk},
        )
        OrganizationExport.objects.filter(pk=export.pk, state=ExportState.PENDING).update(
            state=ExportState.FAILED
        )
        return str(ExportState.FAILED)
    with spool:
        size = spool.seek(0, 2)
        spool.seek(0)
        stamp = now.strftime("%Y%m%d-%H%M%S")
        name = private_storage().save(
            f"organization/{organization.pk}/{export.pk}/organization-{stamp}.zip", File(spool)
        )
    updated = OrganizationExport.objects.filter(pk=export.pk, state=ExportState.PENDING).update(
        state=ExportState.READY,
        ready_at=now,
        expires_at=now + dt.timedelta(days=export_days()),
        file_name=name,
        size=size,
        tables=counts,
    )
    if not updated:
        private_storage().delete(name)
        return str(OrganizationExport.objects.get(pk=export.pk).state)
    return str(ExportState.READY)


def org_export_download(*, actor: Membership, export_id: str) -> OrganizationExport:
    """A ready archive of the actor's organization (another's, or an expired one: NotFound),
    audited as downloaded."""
    require(actor, "org.export")
    export = get_scoped(OrganizationExport, actor.organization_id, pk=export_id)
    if (
        export.state != ExportState.READY
        or not export.file_name
        or not export.expires_at
        or export.expires_at <= clock.now()
    ):
        raise NotFound(_("Not found."))
    with transaction.atomic():
        _audit(actor, "privacy.org_export_downloaded", export)
    return export


def org_exports_cleanup(*, now: dt.datetime | None = None) -> int:
    """Delete the organization archives whose time is over and give up the requests stuck
    for a day (periodic). Returns how many changed."""
    now = now or clock.now()
    done = 0
    rows = OrganizationExport.objects.filter(
        Q(state=ExportState.READY, expires_at__lte=now)
        | Q(
            state__in=[ExportState.PENDING, ExportState.FAILED],
            requested_at__lte=now - dt.timedelta(days=1),
        )
    ).only("pk", "file_name")
    for export in rows.iterator():
        name = export.file_name
        OrganizationExport.objects.filter(pk=export.pk).update(
            state=ExportState.EXPIRED, file_name=""
        )
        if name:
            private_storage().delete(name)
        done += 1
    return done


def org_delete_request(*, actor: Membership, confirm_name: str) -> OrganizationDeletion:
    """Delete the actor's organization for good. `confirm_name` must be its name, exactly
    (spaces around it aside). Every membership is closed at once, the deletion is recorded
    (the audit row goes with the organization; `OrganizationDeletion` stays), and the worker
    deletes everything once this is kept."""
    require(actor, "org.delete")
    organization = actor.organization
    if confirm_name.strip() != organization.name.strip():
        raise DomainError(
            _("Type the organization's name exactly as it is written to confirm."),
            field_errors={"confirm_name": [_("This is not the organization's name.")]},
        )
    organization_id = organization.pk
    with transaction.atomic():
        deletion, _created = OrganizationDeletion.objects.get_or_create(
            former_organization_id=organization_id, defaults={"requested_at": clock.now()}
        )
        gates.audit_record(
            organization=organization_id,
            actor=actor,
            action="privacy.org_delete_requested",
            object_type="organization",
            object_id=organization_id,
            before=None,
            after=None,
        )
        account_services.organization_close(organization_id=organization_id)

        def queue() -> None:
            from . import tasks

            tasks.purge_organization(organization_id)

        transaction.on_commit(queue)
    logger.info(
        "privacy_org_delete_requested organization=%s",
        organization_id,
        extra={"event": "privacy_org_delete_requested", "organization_id": organization_id},
    )
    return deletion


def _delete_folder(storage_root: str | os.PathLike[str], folder: str) -> None:
    path = Path(storage_root) / folder
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def org_purge(*, organization_id: int) -> dict[str, int]:
    """Delete everything of an organization whose deletion was asked (worker). Idempotent:
    an organization already gone, or never asked for, is left alone (empty result)."""
    deletion = OrganizationDeletion.objects.filter(former_organization_id=organization_id).first()
    if deletion is None or deletion.done_at is not None:
        return {}
    files = org_data.file_names(organization_id)
    with transaction.atomic():
        deletion = OrganizationDeletion.objects.select_for_update().get(pk=deletion.pk)
        if deletion.done_at is not None:
            return {}
        audit = gates.audit_purge_organization(organization_id=organization_id)
        counts = org_data.purge(organization_id)
        if audit:
            counts["governance.AuditEntry"] = audit
        deletion.done_at = clock.now()
        deletion.tables = counts
        deletion.save(update_fields=["done_at", "tables"])

        def remove_files() -> None:
            for _field, name in files:
                default_storage.delete(name)
            private = private_storage()
            if isinstance(private, FileSystemStorage):
                for folder in (f"privacy/{organization_id}", f"organization/{organization_id}"):
                    _delete_folder(private.location, folder)

        transaction.on_commit(remove_files)
    logger.info(
        "privacy_org_deleted organization=%s rows=%s",
        organization_id,
        sum(counts.values()),
        extra={"event": "privacy_org_deleted", "organization_id": organization_id},
    )
    return counts


def org_purge_due() -> int:
    """Finish every deletion asked for and not done (periodic: a lost task, a crash)."""
    pending = list(
        OrganizationDeletion.objects.filter(done_at__isnull=True).values_list(
            "former_organization_id", flat=True
        )
    )
    for organization_id in pending:
        org_purge(organization_id=organization_id)
    return len(pending)
