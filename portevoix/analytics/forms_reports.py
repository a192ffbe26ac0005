"""The form of a report's schedule: on or off, when, and to whom."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portevoix.core.clock import WEEKDAYS

from .models import ReportKind


class ScheduleForm(forms.Form):
    enabled = forms.BooleanField(label=_("Send this report by email"), required=False)
    weekday = forms.TypedChoiceField(
        label=_("Day of the week"), choices=WEEKDAYS, coerce=int, initial=0
    )
    day = forms.TypedChoiceField(
        label=_("Day of the month"),
        choices=[(d, str(d)) for d in range(1, 29)],
        coerce=int,
        initial=1,
    )
    hour = forms.TypedChoiceField(
        label=_("Hour"), choices=[(h, f"{h:02d}:00") for h in range(24)], coerce=int, initial=8
    )
    recipients = forms.TypedMultipleChoiceField(
        label=_("Recipients"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members who may read the organization's figures."),
    )

    def __init__(self, *args: Any, kind: str, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        recipients = self.fields["recipients"]
        assert isinstance(recipients, forms.TypedMultipleChoiceField)
        recipients.choices = people
        # A weekly report goes out on a weekday, a monthly one on a day of the month.
        if kind == ReportKind.WEEKLY:
            del self.fields["day"]
        else:
            del self.fields["weekday"]
