"""The dashboards' filter form (GET): date range, campaign, team, network, time unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portevoix.core.networks import NETWORK_CHOICES

from . import selectors

PRESETS = [
    ("7", _("Last 7 days")),
    ("30", _("Last 30 days")),
    ("90", _("Last 90 days")),
    ("365", _("Last 365 days")),
    ("custom", _("Custom")),
]
UNIT_CHOICES = [("", _("Automatic")), ("day", _("Day")), ("week", _("Week")), ("month", _("Month"))]
ORDER_CHOICES = [
    ("clicks", _("Clicks")),
    ("shares", _("Shares")),
    ("original_posts", _("Original posts")),
    ("potential_reach", _("Potential reach")),
    ("unique_visitors", _("Unique visitors")),
    ("conversions", _("Conversions")),
    ("conversion_value", _("Conversion value")),
    ("engagements", _("Engagements")),
    ("impressions", _("Impressions")),
]
MAX_ID = 2**63 - 1


class FilterForm(forms.Form):
    range = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # Ids, not choices: an id of another organization is a 404 (checked by the selector),
    # never silently dropped.
    campaign = forms.IntegerField(
        label=_("Campaign"), required=False, min_value=1, max_value=MAX_ID
    )
    team = forms.IntegerField(label=_("Team"), required=False, min_value=1, max_value=MAX_ID)
    network = forms.ChoiceField(
        label=_("Network"), choices=[("", _("All networks")), *NETWORK_CHOICES], required=False
    )
    unit = forms.ChoiceField(label=_("Chart by"), choices=UNIT_CHOICES, required=False)
    order = forms.ChoiceField(label=_("Sort tables by"), choices=ORDER_CHOICES, required=False)
    # The range the page showed ("start/end"), to tell edited dates from a new preset.
    shown = forms.CharField(required=False, max_length=30)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("range") == "custom":
            if not data.get("start") or not data.get("end"):
                raise forms.ValidationError(_("Enter both dates of a custom period."))
            if data["end"] < data["start"]:
                raise forms.ValidationError(_("The end date is before the start date."))
        return data


def parse(data: Any) -> tuple[FilterForm, dict[str, Any]]:
    """The form, and the parameters to use: the submitted ones when valid, else the
    defaults (last 30 days, everything)."""
    form = FilterForm(data)
    today = timezone.localdate()
    params: dict[str, Any] = {
        "start": today - dt.timedelta(days=29),
        "end": today,
        "range": "30",
        "campaign_id": None,
        "team_id": None,
        "network": None,
        "unit": None,
        "order": "clicks",
    }
    if form.is_valid():
        d = form.cleaned_data
        preset = d.get("range") or ("custom" if d.get("start") and d.get("end") else "30")
        start, end = d.get("start"), d.get("end")
        shown = d.get("shown") or ""
        # The dates were edited (they differ from the range the page showed) while a preset
        # stayed selected: the dates win.
        dated = start is not None and end is not None and start <= end
        if preset != "custom" and dated and shown and shown != f"{start}/{end}":
            preset = "custom"
        if preset == "custom":
            params.update(start=d["start"], end=d["end"])
        else:
            params.update(start=today - dt.timedelta(days=int(preset) - 1))
        params.update(
            range=preset,
            campaign_id=d.get("campaign"),
            team_id=d.get("team"),
            network=d.get("network") or None,
            unit=d.get("unit") or None,
            order=d.get("order") or "clicks",
        )
    return form, params


def auto_unit(filters: selectors.Filters) -> selectors.Unit:
    if filters.days <= 31:
        return "day"
    if filters.days <= 190:
        return "week"
    return "month"
