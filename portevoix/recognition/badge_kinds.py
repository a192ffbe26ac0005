"""The built-in badges and how a badge's counter reads: plain data, no ORM.

Each built-in badge exists in every organization (created on first use, like the point
rules) and counts something the ledger already knows: a rule's rows, all-time points, a
month's top 10 (when the month closes) or the coaching sessions a person led.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import MONTHLY_TOP, POINTS, SESSIONS_COACHED, RuleCode


@dataclass(frozen=True)
class Builtin:
    counter: str
    threshold: int
    name: Promise
    description: Promise
    shape: str
    color: str


BUILTIN: dict[str, Builtin] = {
    "first_share": Builtin(
        RuleCode.SHARE,
        1,
        gettext_lazy("First share"),
        gettext_lazy("You shared for the first time."),
        "circle",
        "blue",
    ),
    "ten_shares": Builtin(
        RuleCode.SHARE,
        10,
        gettext_lazy("Ten shares"),
        gettext_lazy("You shared ten times."),
        "hexagon",
        "blue",
    ),
    "first_original": Builtin(
        RuleCode.ORIGINAL_POST,
        1,
        gettext_lazy("Own words"),
        gettext_lazy("You wrote your first original post."),
        "circle",
        "green",
    ),
    "certified": Builtin(
        RuleCode.COURSE_PASSED,
        1,
        gettext_lazy("Certified"),
        gettext_lazy("You passed a course and got its certificate."),
        "shield",
        "purple",
    ),
    "top_ten_month": Builtin(
        MONTHLY_TOP,
        1,
        gettext_lazy("Top 10 of the month"),
        gettext_lazy("You were among the ten people with the most points in a month."),
        "star",
        "gold",
    ),
    "idea_champion": Builtin(
        RuleCode.IDEA_ACCEPTED,
        3,
        gettext_lazy("Idea champion"),
        gettext_lazy("Three of your ideas were accepted."),
        "star",
        "green",
    ),
    "event_speaker": Builtin(
        SESSIONS_COACHED,
        1,
        gettext_lazy("Speaker"),
        gettext_lazy("You led a coaching session or an event."),
        "shield",
        "red",
    ),
}

# What an administrator's own badge may count (the built-in special counters excepted).
CUSTOM_COUNTERS = [
    *((code, label) for code, label in RuleCode.choices if code != RuleCode.CHALLENGE_BONUS),
    (POINTS, gettext_lazy("Points earned (all time)")),
]


def describe(counter: str, threshold: int) -> str:
    """What a custom badge without a description says it counts."""
    if counter == POINTS:
        return ngettext(
            "From %(count)s point earned.", "From %(count)s points earned.", threshold
        ) % {"count": threshold}
    label = dict(RuleCode.choices).get(counter, counter)
    return _("%(label)s: %(count)s times.") % {"label": label, "count": threshold}
