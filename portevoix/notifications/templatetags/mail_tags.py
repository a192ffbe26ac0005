"""`{% email_preferences %}`: the member's email choices on their notification settings."""

from __future__ import annotations

from typing import Any

from django import template

from portevoix.core.web import current_membership

from ..mail import selectors
from ..mail.forms import EmailPreferencesForm

register = template.Library()


@register.inclusion_tag("notifications/mail/preferences.html", takes_context=True)
def email_preferences(context: Any) -> dict[str, Any]:
    membership = current_membership(context["request"])
    if membership is None:
        return {"form": None}
    current = selectors.choices_for(membership_id=membership.pk)
    form = EmailPreferencesForm(initial={"digest": current.digest, "important": current.important})
    return {"form": form, "request": context["request"]}
