"""Reads for the pages: a member's open surveys, the survey to answer, the admin's list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import can, require
from portevoix.core import clock
from portevoix.core.errors import NotFound
from portevoix.core.tenancy import get_scoped, scoped

from ..eligibility import audience_ids, is_in_audience
from ..models import Participation, State, Survey

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership


def open_surveys(*, membership: Membership) -> list[Survey]:
    """The open surveys this member may still answer, soonest deadline first."""
    if not can(membership, "survey.answer"):
        return []
    answered = (
        scoped(Participation, membership.organization_id)
        .filter(membership_id=membership.pk)
        .values("survey_id")
    )
    candidates = (
        scoped(Survey, membership.organization_id)
        .filter(state=State.OPEN, deadline__gt=clock.now())
        .exclude(pk__in=answered)
        .order_by("deadline", "id")
    )
    teams = set(account_selectors.teams_by_member([membership.pk]).get(membership.pk, []))
    ambassador = can(membership, "feed.view")
    return [s for s in candidates if (s.team_id in teams if s.team_id else ambassador)]


def open_count(membership: Membership) -> int:
    return len(open_surveys(membership=membership))


def survey_to_answer(*, membership: Membership, pk: int) -> Survey:
    """A launched survey of the member's audience, with its questions (else NotFound)."""
    require(membership, "survey.answer")
    survey = get_scoped(
        Survey.objects.prefetch_related("questions"), membership.organization_id, pk=pk
    )
    if survey.state == State.DRAFT or not is_in_audience(membership, survey):
        raise NotFound("Not found.")
    return survey


def is_past(survey: Survey) -> bool:
    return survey.deadline <= clock.now()


def has_answered(*, membership: Membership, survey: Survey) -> bool:
    return (
        scoped(Participation, membership.organization_id)
        .filter(survey=survey, membership_id=membership.pk)
        .exists()
    )


def managed_surveys(*, membership: Membership) -> QuerySet[Survey]:
    require(membership, "survey.manage")
    return (
        scoped(Survey, membership.organization_id)
        .select_related("team")
        .annotate(answers=Count("participations"))
        .order_by("-created_at", "-id")
    )


def managed_survey(*, membership: Membership, pk: int) -> Survey:
    require(membership, "survey.manage")
    return get_scoped(
        Survey.objects.select_related("team").prefetch_related("questions"),
        membership.organization_id,
        pk=pk,
    )


def teams(*, membership: Membership) -> list[tuple[int, str]]:
    return [
        (t.pk, t.name)
        for t in account_selectors.organization_teams(organization_id=membership.organization_id)
    ]


def launched_survey(*, organization_id: int, survey_id: int) -> Survey:
    """For notifications: a launched survey (NotFound for a draft or another's)."""
    survey = get_scoped(Survey, organization_id, pk=survey_id)
    if survey.state == State.DRAFT:
        raise NotFound("Not found.")
    return survey


def audience_member_ids(*, survey: Survey) -> list[int]:
    return audience_ids(survey)


def pending_member_ids(*, survey: Survey) -> list[int]:
    """The audience who have not answered yet (for the one reminder)."""
    done = set(
        scoped(Participation, survey.organization_id)
        .filter(survey=survey)
        .values_list("membership_id", flat=True)
    )
    return [pk for pk in audience_ids(survey) if pk not in done]


def participation_count(*, survey: Survey) -> int:
    return scoped(Participation, survey.organization_id).filter(survey=survey).count()
