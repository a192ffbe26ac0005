"""The archives of a person's own data ("My data", docs/decisions/0019-my-data.md).

An archive is prepared by the worker, kept in the private storage (never under MEDIA_ROOT,
never served but by the download view to its owner), and deleted when it expires. The row
stays, without the file, as the trace that it was made.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portevoix.core.tenancy import OrgOwned


class ExportState(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired and deleted")


# The states in which a person has "their" archive: at most one at a time.
CURRENT_STATES = (ExportState.PENDING, ExportState.READY)


class DataExport(OrgOwned):
    # A random key: the download address says nothing about how many archives exist.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(
        max_length=10, choices=ExportState.choices, default=ExportState.PENDING
    )
    requested_at = models.DateTimeField()
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The file's name in the private storage (empty once deleted), and its size in bytes.
    file_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(state__in=["pending", "ready"]),
                name="privacy_export_one_current",
            )
        ]
        indexes = [models.Index(fields=["state", "expires_at"], name="privacy_export_expiry_idx")]


class OrganizationExport(OrgOwned):
    """An archive of every table of the organization, asked for by an administrator
    (docs/decisions/0024-organization-data.md). Same life as a person's
    archive: prepared by the worker, in the private storage, deleted when it expires."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        "accounts.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        max_length=10, choices=ExportState.choices, default=ExportState.PENDING
    )
    requested_at = models.DateTimeField()
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    # Rows written per table: {"content_contentitem": 35, ...}
    tables = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(state="pending"),
                name="privacy_org_export_one_pending",
            )
        ]
        indexes = [
            models.Index(fields=["state", "expires_at"], name="privacy_org_export_expiry_idx")
        ]


class OrganizationDeletion(models.Model):
    """The trace of an organization deleted as a whole: its id, when it was asked and done,
    and how many rows went per table. No foreign key, no name, no person: it outlives the
    organization on purpose, as the only record that the deletion happened."""

    # The deleted organization's id (a plain number: no foreign key, it outlives it).
    former_organization_id = models.BigIntegerField(unique=True)
    requested_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    tables = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["done_at"], name="privacy_org_deletion_done_idx")]
