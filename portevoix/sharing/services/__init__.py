"""Every write of the sharing app, by concern: tracked links (`links`), shares (`shares`),
click ingestion (`clicks`), conversions (`conversions`), tracking settings (`tracking`).

Figures reach the dashboards only through `analytics.rollups.rollup_add`, called in the
same transaction as the raw row it counts (a share, a newly counted click, a new
attributed conversion), so the rollups always equal a recount of the raw rows. Reads are
in `sharing.selectors`. The public names are re-exported here: import them from
`portevoix.sharing.services`.
"""

from __future__ import annotations

from ..textcheck import copy_errors, copy_report
from .clicks import clicks_ingest
from .conversions import (
    ATTRIBUTION_CLOCK_SKEW,
    FUTURE_TOLERANCE,
    MAX_CONVERSION_VALUE,
    PIXEL_MAX_PER_CLICK,
    SIGNATURE_MAX_AGE,
    ConversionResult,
    Unauthorized,
    conversion_record,
    conversion_report_authenticate,
    conversion_signature,
)
from .copies import CopiedText, share_copy_text
from .links import CODE_ATTEMPTS, link_get_or_create
from .mail_links import MailShare, share_link_for_mail
from .shares import (
    MAX_SHARE_TEXT,
    Composition,
    SharePreparation,
    ShareStart,
    SharingBlocked,
    share_compose,
    share_confirm,
    share_moderation_remove,
    share_open,
    share_prepare,
    share_record,
    share_record_published,
    share_remove,
)
from .tracking import (
    MAX_ATTRIBUTION_DAYS,
    TrackingData,
    conversion_key_rotate,
    tracking_settings_update,
)

__all__ = [
    "ATTRIBUTION_CLOCK_SKEW",
    "CODE_ATTEMPTS",
    "FUTURE_TOLERANCE",
    "MAX_ATTRIBUTION_DAYS",
    "MAX_CONVERSION_VALUE",
    "MAX_SHARE_TEXT",
    "PIXEL_MAX_PER_CLICK",
    "SIGNATURE_MAX_AGE",
    "Composition",
    "ConversionResult",
    "CopiedText",
    "MailShare",
    "SharePreparation",
    "ShareStart",
    "SharingBlocked",
    "TrackingData",
    "Unauthorized",
    "clicks_ingest",
    "conversion_key_rotate",
    "conversion_record",
    "conversion_report_authenticate",
    "conversion_signature",
    "copy_errors",
    "copy_report",
    "link_get_or_create",
    "share_compose",
    "share_confirm",
    "share_copy_text",
    "share_link_for_mail",
    "share_moderation_remove",
    "share_open",
    "share_prepare",
    "share_record",
    "share_record_published",
    "share_remove",
    "tracking_settings_update",
]
