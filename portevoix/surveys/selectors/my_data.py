"""What surveys holds about one member, for their "My data" page and archive (privacy).

The surveys they took part in (`Participation`: the day only), and the answers of the
surveys that are *not* anonymous. An anonymous survey's answers have no link to anyone
(docs/decisions/0008-anonymous-survey-answers.md): they are never read here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portevoix.core.tenancy import scoped

from ..models import Answer, Participation

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def my_data(membership: Membership) -> dict[str, list[dict[str, Any]]]:
    org_id = membership.organization_id
    participations = [
        {"survey": p.survey.title, "anonymous": p.survey.anonymous, "answered_on": p.answered_on}
        for p in scoped(Participation, org_id)
        .filter(membership=membership)
        .select_related("survey")
        .order_by("answered_on", "survey_id")
    ]
    answers = [
        {
            "survey": a.response.survey.title,
            "question": a.question.text,
            "number": a.number,
            "options": ", ".join(str(o) for o in a.options or []),
            "text": a.text,
        }
        for a in scoped(Answer, org_id)
        .filter(response__membership=membership, response__survey__anonymous=False)
        .select_related("response__survey", "question")
        .order_by("response__survey_id", "question__position", "question_id")
    ]
    return {"survey_participations": participations, "survey_answers": answers}
