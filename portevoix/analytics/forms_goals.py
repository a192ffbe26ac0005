"""The goal form: a name, a figure, a target, dates, and where it counts (the organization,
one campaign or one team, as one choice)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import GoalMetricCode


class GoalForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    metric = forms.ChoiceField(label=_("Figure"), choices=GoalMetricCode.choices)
    target = forms.DecimalField(
        label=_("Target"), min_value=Decimal("0.01"), max_digits=16, decimal_places=2
    )
    start = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    scope = forms.ChoiceField(label=_("Counted for"), required=False)
    visible_to_ambassadors = forms.BooleanField(
        label=_("Show this goal to the ambassadors"),
        required=False,
        help_text=_("They see it on their goals page; a team's goal only its members."),
    )

    def __init__(
        self,
        *args: Any,
        campaigns: list[tuple[int, str]],
        teams: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: list[Any] = [("", _("The whole organization"))]
        if campaigns:
            choices.append((_("Campaign"), [(f"c{pk}", name) for pk, name in campaigns]))
        if teams:
            choices.append((_("Team"), [(f"t{pk}", name) for pk, name in teams]))
        self.fields["scope"].choices = choices  # type: ignore[attr-defined]

    def cleaned(self) -> dict[str, Any]:
        """The cleaned data as `services.GoalData` takes it."""
        data = dict(self.cleaned_data)
        scope = data.pop("scope") or ""
        data["campaign_id"] = int(scope[1:]) if scope.startswith("c") else None
        data["team_id"] = int(scope[1:]) if scope.startswith("t") else None
        return data


def scope_value(campaign_id: int | None, team_id: int | None) -> str:
    if campaign_id is not None:
        return f"c{campaign_id}"
    if team_id is not None:
        return f"t{team_id}"
    return ""
