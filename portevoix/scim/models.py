"""SCIM provisioning: the organization's directory tokens, its brake setting, the link between
a SCIM resource and a member or a team, and the deactivations the brake counts or holds."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portevoix.core.tenancy import OrgOwned


class DirectoryToken(OrgOwned):
    """A bearer token of the organization's identity provider. Only its SHA-256 is stored;
    the secret is shown once, when an admin creates it."""

    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class DirectorySettings(models.Model):
    """The safety brake: a sync may not deactivate more than `brake_percent` of the active
    members within `brake_window_hours` without an admin's confirmation."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    brake_percent = models.PositiveSmallIntegerField(
        _("largest share of members a sync may deactivate (%)"),
        default=40,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    brake_window_hours = models.PositiveSmallIntegerField(
        _("within (hours)"), default=24, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )


class ScimUser(OrgOwned):
    """What the directory says of a member beyond the account: its userName, externalId and
    name parts. `deleted_at`: the directory deleted the resource (the membership is only
    deactivated; SCIM answers 404 for it from then on, RFC 7644 §3.6)."""

    membership = models.OneToOneField(
        "accounts.Membership", on_delete=models.CASCADE, related_name="scim_user"
    )
    user_name = models.CharField(max_length=254)
    external_id = models.CharField(max_length=254, blank=True)
    name = models.JSONField(default=dict, blank=True)
    # The emails as the directory sent them; the account's email is the primary one.
    emails = models.JSONField(default=list, blank=True)
    display_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "user_name"])]


class ScimGroup(OrgOwned):
    """The directory's externalId of a team."""

    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, related_name="scim_group"
    )
    external_id = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)


class Deactivation(OrgOwned):
    """A deactivation asked by the directory: applied (counted by the brake over its window)
    or held by the brake until an admin confirms or dismisses it."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        PENDING = "pending", _("Waiting for confirmation")
        DISMISSED = "dismissed", _("Dismissed")

    membership = models.ForeignKey(
        "accounts.Membership", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    # The directory deleted the user (rather than setting active=false).
    by_delete = models.BooleanField(default=False)
    requested_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [models.Index(fields=["organization", "status", "requested_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=models.Q(status="pending"),
                name="scim_deactivation_one_pending",
            )
        ]
