from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import WhenMode


class PostForm(forms.Form):
    connection = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=100_000,
    )
    when = forms.ChoiceField(
        label=_("When"), choices=WhenMode.choices, widget=forms.RadioSelect, initial=WhenMode.NOW
    )
    at = forms.DateTimeField(
        label=_("Date and time (your time zone)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def at_in(self, tz: ZoneInfo) -> dt.datetime | None:
        """The chosen time, read in the ambassador's own time zone."""
        value: dt.datetime | None = self.cleaned_data.get("at")
        if value is None:
            return None
        return value.replace(tzinfo=None).replace(tzinfo=tz)


class CardPublishForm(forms.Form):
    """A tap on the feed card: one account, now or at the best time."""

    connection = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    when = forms.ChoiceField(choices=[(WhenMode.NOW, ""), (WhenMode.BEST, "")])


class PauseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the ambassadors)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    campaign = forms.IntegerField(required=False, widget=forms.Select)


class CadenceForm(forms.Form):
    network = forms.CharField(widget=forms.HiddenInput)
    max_per_day = forms.IntegerField(
        label=_("At most … posts a day (0: no limit)"), min_value=0, max_value=100, initial=0
    )
    min_gap_minutes = forms.IntegerField(
        label=_("At least … minutes between two posts (0: none)"),
        min_value=0,
        max_value=10080,
        initial=0,
    )


class AppForm(forms.Form):
    network = forms.CharField(widget=forms.HiddenInput)
    client_id = forms.CharField(label=_("Client id"), max_length=300, required=False)
    client_secret = forms.CharField(
        label=_("Client secret (left empty: unchanged)"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput,
    )


class BlueskyForm(forms.Form):
    identifier = forms.CharField(label=_("Handle or email"), max_length=300)
    app_password = forms.CharField(
        label=_("App password"), max_length=200, widget=forms.PasswordInput
    )
    service = forms.CharField(
        label=_("Server (leave empty for bsky.social)"), max_length=300, required=False
    )
