"""Forms of the sharing pages. They only parse: the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TrackingSettings
from .services import MAX_ATTRIBUTION_DAYS, TrackingData

MAX_FORM_TEXT = 10_000


class ShareForm(forms.Form):
    """Either a suggested copy (`variant`) or the ambassador's own `text`."""

    variant = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Your text"),
        required=False,
        max_length=MAX_FORM_TEXT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


PLACEHOLDER_HELP = _("Placeholders: {network}, {campaign}, {ambassador}, {item}.")


class TrackingForm(forms.Form):
    utm_enabled = forms.BooleanField(
        label=_("Add UTM parameters to the destination"),
        required=False,
        help_text=_("Your web analytics then see which network, campaign and ambassador."),
    )
    utm_source = forms.CharField(
        label="utm_source", max_length=60, required=False, help_text=PLACEHOLDER_HELP
    )
    utm_medium = forms.CharField(label="utm_medium", max_length=60, required=False)
    utm_campaign = forms.CharField(label="utm_campaign", max_length=60, required=False)
    utm_content = forms.CharField(
        label="utm_content",
        max_length=60,
        required=False,
        help_text=_("{ambassador} is a pseudonymous id: it never reveals who shared."),
    )
    fallback_url = forms.CharField(
        label=_("Fallback address"),
        max_length=200,
        required=False,
        help_text=_(
            "Where an expired or archived link sends visitors (http:// or https://). "
            "Empty: a friendly “link not available” page."
        ),
        widget=forms.URLInput,
    )
    attribution_days = forms.IntegerField(
        label=_("Attribution window (days)"),
        min_value=1,
        max_value=MAX_ATTRIBUTION_DAYS,
        help_text=_(
            "A conversion counts for the ambassador if it happens within this many days "
            "after the click."
        ),
    )

    @classmethod
    def initial_for(cls, tracking: TrackingSettings) -> dict[str, object]:
        return {name: getattr(tracking, name) for name in cls.base_fields}

    def to_data(self) -> TrackingData:
        data = self.cleaned_data
        return TrackingData(
            utm_enabled=bool(data["utm_enabled"]),
            utm_source=data["utm_source"],
            utm_medium=data["utm_medium"],
            utm_campaign=data["utm_campaign"],
            utm_content=data["utm_content"],
            fallback_url=data["fallback_url"],
            attribution_days=data["attribution_days"],
        )
