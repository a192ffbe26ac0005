"""The organization's tracking settings (UTM templates, fallback, attribution window)
and its conversion key."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portevoix.accounts.permissions import require
from portevoix.core import crypto
from portevoix.core.errors import DomainError
from portevoix.core.tenancy import scoped

from .. import utm
from ..models import TrackingSettings

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

logger = logging.getLogger("portevoix.sharing")


@dataclass
class TrackingData:
    utm_enabled: bool
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_content: str
    fallback_url: str
    attribution_days: int


MAX_ATTRIBUTION_DAYS = 365


def _tracking_errors(data: TrackingData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("utm_source", "utm_medium", "utm_campaign", "utm_content"):
        template = getattr(data, name).strip()
        if len(template) > 60:
            errors[name] = [_("At most %(max)d characters.") % {"max": 60}]
        elif bad := utm.template_errors(template):
            errors[name] = [
                _("Unknown placeholder %(found)s; use {network}, {campaign}, {ambassador}, {item}.")
                % {"found": ", ".join(bad)}
            ]
    fallback = data.fallback_url.strip()
    if fallback and (len(fallback) > 200 or utm.safe_destination(fallback) is None):
        errors["fallback_url"] = [_("Enter an http:// or https:// address.")]
    if not 1 <= data.attribution_days <= MAX_ATTRIBUTION_DAYS:
        errors["attribution_days"] = [
            _("Enter a number of days from 1 to %(max)d.") % {"max": MAX_ATTRIBUTION_DAYS}
        ]
    return errors


def _tracking_for_update(organization_id: int) -> TrackingSettings:
    """The organization's settings row, locked; created with the defaults the first time
    (also when two requests create it at the same moment)."""
    found = scoped(TrackingSettings, organization_id).select_for_update().first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return TrackingSettings.objects.create(organization_id=organization_id)
    except IntegrityError:
        return scoped(TrackingSettings, organization_id).select_for_update().get()


@transaction.atomic
def tracking_settings_update(*, actor: Membership, data: TrackingData) -> TrackingSettings:
    require(actor, "tracking.manage")
    errors = _tracking_errors(data)
    if errors:
        raise DomainError(_("The tracking settings have errors."), field_errors=errors)
    tracking = _tracking_for_update(actor.organization_id)
    tracking.utm_enabled = bool(data.utm_enabled)
    tracking.utm_source = data.utm_source.strip()
    tracking.utm_medium = data.utm_medium.strip()
    tracking.utm_campaign = data.utm_campaign.strip()
    tracking.utm_content = data.utm_content.strip()
    tracking.fallback_url = data.fallback_url.strip()
    tracking.attribution_days = data.attribution_days
    tracking.save()
    return tracking


@transaction.atomic
def conversion_key_rotate(*, actor: Membership) -> str:
    """A new conversion key for the organization, returned once (only its encrypted form
    is stored); the previous key stops working at once."""
    require(actor, "tracking.manage")
    key = "pvck_" + secrets.token_urlsafe(32)
    tracking = _tracking_for_update(actor.organization_id)
    tracking.conversion_key_encrypted = crypto.encrypt(key)
    tracking.save(update_fields=["conversion_key_encrypted"])
    logger.info("conversion_key_rotated org=%s", actor.organization_id)
    return key
