"""A person's erasure, notifications' part (docs/decisions/0022-erasure.md): their in-app
notifications, push subscriptions and deliveries, notification and email settings, and the
record of emails sent to them go. An address no one logs in with any more leaves the
suppression list too (`suppression_forget`)."""

from __future__ import annotations

from typing import Any

from portevoix.core.erasure import ErasedPerson
from portevoix.core.tenancy import scoped

from .models import Notification, NotificationPreferences, PushDelivery, PushSubscription
from .models_mail import EmailDelivery, EmailPreferences, EmailSuppression


def member_erase(*, person: ErasedPerson) -> int:
    """Delete the person's rows of notifications; returns how many went."""
    total = 0
    models: tuple[Any, ...] = (  # each with a `membership` foreign key
        PushDelivery,
        Notification,
        PushSubscription,
        NotificationPreferences,
        EmailDelivery,
        EmailPreferences,
    )
    for model in models:
        rows = scoped(model, person.organization_id).filter(membership_id=person.membership_id)
        deleted, _rows = rows.delete()
        total += deleted
    return total


def suppression_forget(*, email: str) -> int:
    """Forget a bounced or complained address (its login was deleted by an erasure)."""
    deleted, _rows = EmailSuppression.objects.filter(email__iexact=email).delete()
    return deleted
