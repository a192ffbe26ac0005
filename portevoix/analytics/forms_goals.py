"""The goal form: a name, a figure, a target, dates, and where it counts (the organization,
one campaign or one team, as one choice)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from portevoix.core.networks import NETWORK_CHOICES

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


CURRENCY_CHOICES = [(code, code) for code in ("EUR", "USD", "GBP", "CHF", "CAD")]


class InsightForm(forms.Form):
    """The EMV formula (a CPM per network, a cost per click, a value per engagement, the
    currency) and the content mix target."""

    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)
    cpc = forms.DecimalField(
        label=_("Cost per click"), min_value=0, max_digits=10, decimal_places=2
    )
    per_engagement = forms.DecimalField(
        label=_("Value per engagement"), min_value=0, max_digits=10, decimal_places=2
    )
    mix_target = forms.IntegerField(
        label=_("Company and expertise content, target %"),
        min_value=0,
        max_value=100,
        help_text=_("The rest is third-party and sector news (80 / 20 by default)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in NETWORK_CHOICES:
            self.fields[f"cpm_{code}"] = forms.DecimalField(
                label=_("CPM on %(network)s") % {"network": label},
                min_value=0,
                max_digits=10,
                decimal_places=2,
                help_text=_("Cost per thousand impressions."),
            )

    def cpm_fields(self) -> list[forms.BoundField]:
        return [self[f"cpm_{code}"] for code, _label in NETWORK_CHOICES]

    def cleaned(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["cpm"] = {code: data.pop(f"cpm_{code}") for code, _label in NETWORK_CHOICES}
        return data
