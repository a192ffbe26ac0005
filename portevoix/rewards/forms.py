from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .exports import PERIOD_KINDS
from .models import RewardKind
from .services.catalogue import MAX_COST


class RewardForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RewardKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    cost = forms.IntegerField(label=_("Cost in points"), min_value=1, max_value=MAX_COST)
    stock = forms.IntegerField(
        label=_("Stock"),
        min_value=0,
        required=False,
        help_text=_("How many are left; empty: unlimited."),
    )
    team_ids = forms.TypedMultipleChoiceField(
        label=_("Offered to the teams"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: everyone."),
    )
    active = forms.BooleanField(label=_("Offered now"), required=False, initial=True)

    def __init__(self, *args: Any, teams: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team_ids"].choices = teams  # type: ignore[attr-defined]


class SettingsForm(forms.Form):
    monthly_budget = forms.IntegerField(
        label=_("Points that may be redeemed per month"),
        min_value=0,
        required=False,
        help_text=_(
            "Across the organization, counted from the first of each month; empty: no limit."
        ),
    )
    first_needs_approval = forms.BooleanField(
        label=_("A member's first redemption needs an administrator's approval"), required=False
    )
    of_value = forms.BooleanField(
        label=_("Our rewards are of value (gifts, days off, …)"),
        required=False,
        help_text=_("Then every share carries the disclosure below, and ambassadors are told why."),
    )
    disclosure = forms.CharField(label=_("Incentive disclosure"), max_length=60, required=False)


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is refused (the member reads it)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExportForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=list(
            zip(
                PERIOD_KINDS,
                [_("Month"), _("Quarter"), _("Year"), _("Custom dates")],
                strict=True,
            )
        ),
        initial="month",
    )
    day = forms.DateField(
        label=_("A day in the period"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For a month, a quarter or a year; empty: today."),
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    format = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    everyone = forms.BooleanField(label=_("Everyone (not only me)"), required=False)
