"""Writes of the members' email choices: the digest's frequency and the important emails
(the settings page), leaving a list in one click (the signed unsubscribe link), and the
addresses that bounced (the webhook). Re-exported by `services`."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from portevoix.accounts import selectors as account_selectors
from portevoix.core import clock
from portevoix.core.errors import NotFound

from ..models_mail import (
    DeliveryState,
    DigestFrequency,
    EmailDelivery,
    EmailList,
    EmailPreferences,
    EmailSuppression,
)
from . import selectors

logger = logging.getLogger("portevoix.notifications.mail")


def email_preferences_update(*, membership: Any, digest: str, important: bool) -> EmailPreferences:
    if digest not in DigestFrequency.values:
        raise ValueError(digest)
    prefs, _created = EmailPreferences.objects.update_or_create(
        membership_id=membership.pk,
        defaults={
            "organization_id": membership.organization_id,
            "digest": digest,
            "important": important,
            "updated_at": clock.now(),
        },
    )
    return prefs


@transaction.atomic
def email_unsubscribe(*, membership_id: int, organization_id: int, email_list: str) -> bool:
    """Leave one list (one click, from the signed link): the digest off, or the important
    emails off. True when it changed something. Unknown list or member: False."""
    if email_list not in EmailList.values:
        return False
    try:
        account_selectors.active_member(organization_id=organization_id, pk=membership_id)
    except NotFound:
        return False
    current = selectors.choices_for(membership_id=membership_id)
    digest = DigestFrequency.OFF if email_list == EmailList.DIGEST else current.digest
    important = False if email_list == EmailList.IMPORTANT else current.important
    changed = (digest, important) != (current.digest, current.important)
    EmailPreferences.objects.update_or_create(
        membership_id=membership_id,
        defaults={
            "organization_id": organization_id,
            "digest": digest,
            "important": important,
            "updated_at": clock.now(),
        },
    )
    logger.info(
        "email_unsubscribed", extra={"organization_id": organization_id, "list": email_list}
    )
    return changed


def email_suppress(*, email: str, reason: str = "bounce") -> bool:
    """An address bounced: nothing is sent to it any more; its pending deliveries are
    marked suppressed. True when it was not suppressed yet."""
    address = email.strip().lower()
    _row, created = EmailSuppression.objects.get_or_create(
        email=address, defaults={"reason": reason[:20], "created_at": clock.now()}
    )
    EmailDelivery.objects.filter(email__iexact=address, state=DeliveryState.PENDING).update(
        state=DeliveryState.SUPPRESSED
    )
    return created
