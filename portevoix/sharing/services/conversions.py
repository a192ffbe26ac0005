"""Conversions reported by the customer's site (pixel or signed server-to-server POST),
attributed to the click within the organization's window."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portevoix.analytics import rollups
from portevoix.core import clock, crypto
from portevoix.core.errors import Conflict, DomainError, NotFound

from .. import selectors, signals
from ..codes import is_click_id
from ..models import Conversion, ConversionKind
from ..visitor import local_day

if TYPE_CHECKING:
    from portevoix.accounts.models import Organization

logger = logging.getLogger("portevoix.sharing")


class Unauthorized(DomainError):
    status = 401


# --- Conversions

ATTRIBUTION_CLOCK_SKEW = dt.timedelta(minutes=5)
# At most this many conversions per click through the unsigned pixel.
PIXEL_MAX_PER_CLICK = 10
MAX_CONVERSION_VALUE = Decimal("999999999999.99")
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
_EXTERNAL_ID = re.compile(r"^[\x21-\x7e]{1,120}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class ConversionResult:
    conversion: Conversion
    created: bool
    attributed: bool


def _clean_conversion(
    *, external_id: str, kind: str, value: object, currency: str, at: dt.datetime | None
) -> tuple[str, str, Decimal, str, dt.datetime]:
    errors: dict[str, list[str]] = {}
    external_id = (external_id or "").strip()
    if not _EXTERNAL_ID.match(external_id):
        errors["conversion_id"] = [_("1 to 120 visible ASCII characters, without spaces.")]
    if kind not in ConversionKind.values:
        errors["kind"] = [
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(ConversionKind.values)}
        ]
    amount = Decimal(0)
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
        if not amount.is_finite() or amount < 0 or amount > MAX_CONVERSION_VALUE:
            raise InvalidOperation
        amount = amount.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors["value"] = [_("Enter an amount from 0 to 999999999999.99.")]
    currency = (currency or "").strip().upper()
    if currency and not _CURRENCY.match(currency):
        errors["currency"] = [_("Enter a three-letter currency code, e.g. EUR.")]
    now = clock.now()
    when = at or now
    if when.tzinfo is None:
        errors["at"] = [_("Enter an ISO 8601 date and time with a time zone.")]
    elif when > now + FUTURE_TOLERANCE:
        errors["at"] = [_("The conversion cannot be in the future.")]
    if errors:
        raise DomainError(_("The conversion has errors."), field_errors=errors)
    return external_id, kind, amount, currency, when


@transaction.atomic
def conversion_record(
    *,
    organization: Organization,
    external_id: str,
    kind: str,
    value: object = 0,
    currency: str = "",
    click_id: str = "",
    at: dt.datetime | None = None,
    source: str,
    require_click: bool = False,
) -> ConversionResult:
    """Record a conversion reported by the customer's site, once per (organization,
    conversion id). It is attributed to the click `click_id` (hence to its ambassador,
    item, campaign and network) when that click belongs to the organization and the
    conversion happened within the attribution window after it; otherwise it is kept
    unattributed. With `require_click` (the unsigned pixel), a conversion whose click is
    unknown is not recorded at all (NotFound). Only a new attributed conversion reaches
    the rollups."""
    external_id, kind, amount, currency, when = _clean_conversion(
        external_id=external_id, kind=kind, value=value, currency=currency, at=at
    )
    click = None
    if click_id and is_click_id(click_id):
        click = selectors.click_by_id(organization_id=organization.pk, click_id=click_id)
    if click is None and require_click:
        raise NotFound(_("Unknown click."))
    if require_click and click is not None:
        # Unsigned reports: a click id found in a page cannot be turned into a flood of
        # conversions for one ambassador.
        reported = selectors.other_conversions_of_click(click=click, external_id=external_id)
        if reported >= PIXEL_MAX_PER_CLICK:
            raise Conflict(_("Too many conversions for this click."))
    window = dt.timedelta(days=selectors.tracking_settings_for(organization.pk).attribution_days)
    attributed = click is not None and (
        click.at - ATTRIBUTION_CLOCK_SKEW <= when <= click.at + window
    )
    try:
        with transaction.atomic():
            conversion = Conversion.objects.create(
                organization_id=organization.pk,
                external_id=external_id,
                kind=kind,
                value=amount,
                currency=currency,
                click=click if attributed else None,
                link_id=click.link_id if (attributed and click is not None) else None,
                at=when,
                source=source,
            )
    except IntegrityError:
        existing = selectors.conversion_by_external_id(
            organization_id=organization.pk, external_id=external_id
        )
        return ConversionResult(existing, created=False, attributed=existing.click_id is not None)
    if attributed and click is not None:
        rollups.rollup_add(
            organization_id=organization.pk,
            day=local_day(when),
            item_id=click.item_id_copy,
            campaign_id=click.link.item.campaign_id,
            membership_id=click.membership_id_copy,
            network=click.network,
            conversions=1,
            conversion_value=amount,
        )
        signals.conversion_recorded.send(
            sender=Conversion,
            organization_id=organization.pk,
            membership_id=click.membership_id_copy,
            conversion_id=conversion.pk,
            network=click.network,
            at=when,
        )
    logger.info(
        "conversion_recorded org=%s conversion=%s source=%s attributed=%s",
        organization.pk,
        conversion.pk,
        source,
        attributed,
    )
    return ConversionResult(conversion, created=True, attributed=attributed)


SIGNATURE_MAX_AGE = 300  # seconds


def conversion_signature(key: str, timestamp: str, body: bytes) -> str:
    """hex HMAC-SHA256 of f"{timestamp}.{raw body}" with the organization's conversion key."""
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def conversion_report_authenticate(
    *, org_slug: str, timestamp: str, signature: str, body: bytes, now: float | None = None
) -> Organization:
    """The organization of a signed server-to-server report, or Unauthorized (401): stale
    or missing timestamp, unknown organization, no key, or a bad signature (the last three
    with the same message, so the answer does not tell which organizations exist)."""
    now = time.time() if now is None else now
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        sent = None
    if sent is None or abs(now - sent) > SIGNATURE_MAX_AGE:
        raise Unauthorized(
            _("Send X-Portevoix-Timestamp: the current Unix time (at most 5 minutes off).")
        )
    refused = Unauthorized(_("Invalid signature."))
    organization = selectors.organization_by_slug(org_slug)
    if organization is None:
        raise refused
    stored = selectors.tracking_settings_for(organization.pk).conversion_key_encrypted
    if not stored:
        raise refused
    try:
        key = crypto.decrypt(stored)
    except crypto.DecryptionError:
        logger.error("conversion_key_undecryptable org=%s", organization.pk)
        raise refused from None
    expected = conversion_signature(key, str(sent), body)
    if not hmac.compare_digest(expected, (signature or "").strip().lower()):
        raise refused
    return organization
