"""The writes of "My data": asking for the archive, preparing it (worker), downloading it,
and deleting the expired ones (periodic). Each audited without any of the data itself.

Storage: the archives live in the `private` storage (settings.STORAGES, PRIVATE_ROOT), which
is never served as files: only `views.archive_download` hands one out, to its owner.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation

from portevoix.accounts import selectors as account_selectors
from portevoix.core import clock
from portevoix.core.errors import NotFound
from portevoix.core.tenancy import get_scoped, scoped
from portevoix.governance import gates

from . import archive
from .models import CURRENT_STATES, DataExport, ExportState

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger(__name__)


def private_storage() -> Storage:
    return storages["private"]


def export_days() -> int:
    return max(1, int(getattr(settings, "PRIVACY_EXPORT_DAYS", 7)))


def _audit(membership: Membership, action: str, export: DataExport) -> None:
    gates.audit_record(
        organization=membership.organization_id,
        actor=membership,
        action=action,
        object_type="privacy_export",
        object_id=str(export.pk),
        before=None,
        after=None,
    )


def _expire(export: DataExport) -> None:
    """Mark one archive expired and delete its file once the change is kept."""
    name = export.file_name
    export.state = ExportState.EXPIRED
    export.file_name = ""
    export.save(update_fields=["state", "file_name"])
    if name:
        transaction.on_commit(lambda: private_storage().delete(name))


def export_request(*, membership: Membership) -> DataExport:
    """The member's archive: the one being prepared or ready (asking again changes nothing),
    else a new one, prepared by the worker. Audited once per new archive."""
    now = clock.now()
    with transaction.atomic():
        current = (
            scoped(DataExport, membership.organization_id)
            .select_for_update()
            .filter(membership=membership, state__in=CURRENT_STATES)
            .first()
        )
        if current is not None and not (
            current.state == ExportState.READY and current.expires_at and current.expires_at <= now
        ):
            return current
        if current is not None:
            _expire(current)
        try:
            with transaction.atomic():
                export = DataExport.objects.create(
                    organization_id=membership.organization_id,
                    membership=membership,
                    requested_at=now,
                )
        except IntegrityError:
            # A concurrent request made it first: theirs is ours.
            return scoped(DataExport, membership.organization_id).get(
                membership=membership, state__in=CURRENT_STATES
            )
        _audit(membership, "privacy.export_requested", export)
        export_id = str(export.pk)

        def queue() -> None:
            from . import tasks

            tasks.prepare_export(export_id)

        transaction.on_commit(queue)
    return export


def export_prepare(*, export_id: str) -> str:
    """Build the archive of one pending request (worker). Idempotent: anything but a pending
    archive is left alone. Returns the archive's state."""
    export = (
        DataExport.objects.select_related("membership__user", "membership__organization")
        .filter(pk=export_id)
        .first()
    )
    if export is None:  # the membership was deleted meanwhile
        return "gone"
    if export.state != ExportState.PENDING:
        return str(export.state)
    membership = export.membership
    language = account_selectors.member_locales(
        organization_id=membership.organization_id, membership_ids=[membership.pk]
    ).get(membership.pk, (settings.LANGUAGE_CODE, ""))[0]
    now = clock.now()
    try:
        with translation.override(language):
            data = archive.build_zip(membership, now)
    except Exception as exc:
        # The class only: a message could quote the person's data.
        logger.warning(
            "privacy_export_failed organization=%s error=%s",
            membership.organization_id,
            type(exc).__name__,
            extra={"event": "privacy_export_failed", "organization_id": membership.organization_id},
        )
        DataExport.objects.filter(pk=export.pk, state=ExportState.PENDING).update(
            state=ExportState.FAILED
        )
        return str(ExportState.FAILED)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    name = private_storage().save(
        f"privacy/{membership.organization_id}/{export.pk}/my-data-{stamp}.zip", ContentFile(data)
    )
    updated = DataExport.objects.filter(pk=export.pk, state=ExportState.PENDING).update(
        state=ExportState.READY,
        ready_at=now,
        expires_at=now + dt.timedelta(days=export_days()),
        file_name=name,
        size=len(data),
    )
    if not updated:
        private_storage().delete(name)
        return str(DataExport.objects.get(pk=export.pk).state)
    return str(ExportState.READY)


def export_download(*, membership: Membership, export_id: str) -> DataExport:
    """The member's own ready archive (anyone else's, or an expired one: NotFound), audited
    as downloaded."""
    export = get_scoped(DataExport, membership.organization_id, pk=export_id)
    if export.membership_id != membership.pk or export.state != ExportState.READY:
        raise NotFound("Not found.")
    if not export.expires_at or export.expires_at <= clock.now() or not export.file_name:
        raise NotFound("Not found.")
    with transaction.atomic():
        _audit(membership, "privacy.export_downloaded", export)
    return export


def exports_cleanup(*, now: dt.datetime | None = None) -> int:
    """Delete the archives whose time is over, and give up the requests left pending or
    failed for a day (periodic). Returns how many rows changed."""
    now = now or clock.now()
    stale = now - dt.timedelta(days=1)
    done = 0
    rows = DataExport.objects.filter(
        Q(state=ExportState.READY, expires_at__lte=now)
        | Q(state__in=[ExportState.PENDING, ExportState.FAILED], requested_at__lte=stale)
        | Q(state=ExportState.FAILED, file_name__gt="")
    ).only("pk", "state", "file_name")
    for export in rows.iterator():
        with transaction.atomic():
            _expire(export)
        done += 1
    return done
