from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portevoix.core.clock import WEEKDAYS

from ..models_mail import DigestFrequency


class EmailPreferencesForm(forms.Form):
    digest = forms.ChoiceField(
        label=_("Digest of new content by email"),
        choices=DigestFrequency.choices,
        help_text=_("Only when there is something new you have not shared yet."),
    )
    important = forms.BooleanField(
        label=_("Email me at once when important content is live"), required=False
    )


class DigestScheduleForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Day of the weekly digest"), choices=WEEKDAYS, coerce=int
    )
    hour = forms.TypedChoiceField(
        label=_("Hour the digests start"),
        choices=[(h, f"{h:02d}:00") for h in range(24)],
        coerce=int,
        help_text=_("Daily digests start at this hour every day."),
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        required=False,
        max_length=64,
        help_text=_("A name such as Europe/Paris; empty: the platform's time zone."),
    )
