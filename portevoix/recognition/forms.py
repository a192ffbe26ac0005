from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portevoix.accounts.selectors import Visibility

from .services.preferences import MAX_PSEUDONYM


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(
        label=_("On the boards, the dashboards, the exports and the API, show me"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "One choice for every page that names people. Your own pages always show you "
            "your points, your rank and your figures."
        ),
    )
    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        max_length=MAX_PSEUDONYM,
        required=False,
        help_text=_("Used when you appear under a pseudonym; empty: one is made up for you."),
    )


class BoardFilterForm(forms.Form):
    """The board's filters, read from the query string (unknown values fall back)."""

    period = forms.ChoiceField(label=_("Period"), required=False)
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: object, teams: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from .models import Period

        self.fields["period"].choices = Period.choices  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", _("The whole organization")), *teams]  # type: ignore[attr-defined]


class RuleForm(forms.Form):
    """One rule's row on the rules page (prefix: the rule's code)."""

    points = forms.IntegerField(label=_("Points"), min_value=0, max_value=1000)
    daily_cap = forms.IntegerField(
        label=_("At most a day (0: no cap)"), min_value=0, max_value=100_000
    )
    network_daily_cap = forms.IntegerField(
        label=_("At most a day per network (0: no cap)"), min_value=0, max_value=100_000
    )
    active = forms.BooleanField(label=_("Active"), required=False)


class DefaultVisibilityForm(forms.Form):
    default_visibility = forms.ChoiceField(
        label=_("Until they choose, members appear (on the boards and the dashboards)"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
    )


class RecountForm(forms.Form):
    since = forms.DateField(
        label=_("Value again the events from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("With the rules in force now, caps included. The recount is recorded."),
    )


class FlagReviewForm(forms.Form):
    """Dismiss or confirm a fair-play flag (one form per flag on the review page)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("dismiss", _("Dismiss: nothing wrong")), ("confirm", _("Confirm"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to confirm: it is shown next to the reversed points."),
    )
    reverse_points = forms.BooleanField(
        label=_("Reverse the points of the flagged shares"), required=False, initial=True
    )


class FairPlaySettingsForm(forms.Form):
    burst_shares = forms.IntegerField(
        label=_("Burst: more than this many shares by one person"), min_value=2, max_value=1000
    )
    burst_minutes = forms.IntegerField(
        label=_("Burst: within this many minutes"), min_value=1, max_value=1440
    )
    same_text_people = forms.IntegerField(
        label=_("Same text: posted by at least this many people"), min_value=2, max_value=1000
    )
    same_text_hours = forms.IntegerField(
        label=_("Same text: within this many hours"), min_value=1, max_value=720
    )


class BadgeForm(forms.Form):
    """An administrator's own badge: a counter and a threshold."""

    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("Empty: what it counts and from how many."),
    )
    counter = forms.ChoiceField(label=_("Counts"))
    threshold = forms.IntegerField(label=_("From"), min_value=1, max_value=1_000_000)
    shape = forms.ChoiceField(label=_("Shape"))
    color = forms.ChoiceField(label=_("Colour"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from .badge_kinds import CUSTOM_COUNTERS
        from .models import BadgeColor, BadgeShape

        self.fields["counter"].choices = CUSTOM_COUNTERS  # type: ignore[attr-defined]
        self.fields["shape"].choices = BadgeShape.choices  # type: ignore[attr-defined]
        self.fields["color"].choices = BadgeColor.choices  # type: ignore[attr-defined]


class ChallengeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    metric = forms.ChoiceField(label=_("What counts"))
    target = forms.IntegerField(label=_("Target"), min_value=1, max_value=1_000_000)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    scope = forms.ChoiceField(label=_("Who takes part"))
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)
    campaign = forms.TypedChoiceField(
        label=_("Campaign"), coerce=int, required=False, empty_value=None
    )
    min_score = forms.IntegerField(
        label=_("Minimum personal score for the bonus"),
        min_value=1,
        max_value=1_000_000,
        initial=1,
    )
    bonus_points = forms.IntegerField(
        label=_("Bonus points for each qualifying participant"),
        min_value=0,
        max_value=10_000,
        initial=0,
    )

    def __init__(
        self,
        *args: object,
        teams: list[tuple[int, str]],
        campaigns: list[tuple[int, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from .models import ChallengeMetric, ChallengeScope

        self.fields["metric"].choices = ChallengeMetric.choices  # type: ignore[attr-defined]
        self.fields["scope"].choices = ChallengeScope.choices  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", "—"), *teams]  # type: ignore[attr-defined]
        self.fields["campaign"].choices = [("", "—"), *campaigns]  # type: ignore[attr-defined]
