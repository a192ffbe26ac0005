from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_PUSHES_LIMIT, Kind


class PreferencesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Notify me when"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    push_enabled = forms.BooleanField(
        label=_("Also send them to this phone or computer (push notifications)"), required=False
    )
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_(
            "No push during these hours: you find them here afterwards. Leave both empty for none."
        ),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args: Any, time_zones: list[str], default_zone: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        zones = self.fields["time_zone"]
        assert isinstance(zones, forms.ChoiceField)
        zones.choices = [
            ("", _("My time zone (%(zone)s)") % {"zone": default_zone}),
            *((name, name) for name in time_zones),
        ]


class PolicyForm(forms.Form):
    max_pushes_per_day = forms.IntegerField(
        label=_("Push notifications per member and day, at most"),
        min_value=0,
        max_value=MAX_PUSHES_LIMIT,
        help_text=_("The others stay in the app. 0: no push notifications at all."),
    )
