"""A survey's results and its export, with the anonymity rules applied here, once:

- an anonymous survey shows nothing below `MIN_GROUP` answers, and no question answered by
  fewer;
- the breakdown by team keeps the teams with at least `MIN_GROUP` answers and merges the
  others into "other", shown only when it has `MIN_GROUP` answers itself;
- free texts of an anonymous survey are listed only from `MIN_GROUP` answers, shuffled.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.core.tenancy import scoped

from ..models import Answer, AnswerBuffer, Kind, Participation, Question, Response, Survey
from ..services.answering import MIN_GROUP, team_labels
from .surveys import managed_survey

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

NUMERIC = (Kind.SCALE5, Kind.SCALE10, Kind.ENPS)
_rng = random.SystemRandom()


def enps(scores: list[int]) -> int | None:
    """% promoters (9-10) minus % detractors (0-6), rounded; None without answers."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return round(100 * (promoters - detractors) / len(scores))


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class GroupFigure:
    label: str
    count: int
    value: str  # the average, or the eNPS


@dataclass
class QuestionResult:
    question: Question
    count: int = 0
    shown: bool = True
    bars: list[Bar] = field(default_factory=list)
    average: str = ""
    enps: int | None = None
    split: tuple[int, int, int] = (0, 0, 0)  # promoters, passives, detractors (percent)
    texts: list[str] = field(default_factory=list)
    groups: list[GroupFigure] = field(default_factory=list)


@dataclass
class Results:
    survey: Survey
    participants: int
    written: int
    waiting: int
    shown: bool
    questions: list[QuestionResult]


def _bars(labels: list[str], counts: Counter[Any], keys: list[Any], total: int) -> list[Bar]:
    return [
        Bar(label, counts[key], round(100 * counts[key] / total) if total else 0)
        for label, key in zip(labels, keys, strict=True)
    ]


def _figure(kind: str, numbers: list[int]) -> str:
    if kind == Kind.ENPS:
        return str(enps(numbers))
    return f"{sum(numbers) / len(numbers):.1f}"


def _group_figures(
    survey: Survey, kind: str, by_team: dict[int | None, list[int]], names: dict[int, str]
) -> list[GroupFigure]:
    if survey.team_id:
        return []
    if survey.anonymous:
        labels = team_labels([t for t, values in by_team.items() for _v in values])
        merged: dict[int | None, list[int]] = defaultdict(list)
        for team, values in by_team.items():
            merged[labels[team]] += values
        by_team = {t: v for t, v in merged.items() if len(v) >= MIN_GROUP}
    if len(by_team) < 2:
        return []  # one group says nothing more than the whole
    rows = sorted(by_team.items(), key=lambda item: (item[0] is None, names.get(item[0] or 0, "")))
    return [
        GroupFigure(names.get(team, "") if team else _("Other"), len(values), _figure(kind, values))
        for team, values in rows
        if values
    ]


def _question_result(
    survey: Survey, question: Question, rows: list[dict[str, Any]], names: dict[int, str]
) -> QuestionResult:
    result = QuestionResult(question=question, count=len(rows))
    if survey.anonymous and result.count < MIN_GROUP:
        result.shown = False
        return result
    if question.kind in NUMERIC:
        numbers = [r["number"] for r in rows]
        low = 1 if question.kind == Kind.SCALE5 else 0
        high = 5 if question.kind == Kind.SCALE5 else 10
        keys = list(range(low, high + 1))
        result.bars = _bars([str(k) for k in keys], Counter(numbers), keys, len(numbers))
        if numbers:
            result.average = f"{sum(numbers) / len(numbers):.1f}"
        if question.kind == Kind.ENPS and numbers:
            result.enps = enps(numbers)
            n = len(numbers)
            result.split = (
                round(100 * sum(1 for x in numbers if x >= 9) / n),
                round(100 * sum(1 for x in numbers if 7 <= x <= 8) / n),
                round(100 * sum(1 for x in numbers if x <= 6) / n),
            )
        by_team: dict[int | None, list[int]] = defaultdict(list)
        for r in rows:
            by_team[r["response__team_id"]].append(r["number"])
        result.groups = _group_figures(survey, question.kind, by_team, names)
    elif question.kind in (Kind.SINGLE, Kind.MULTIPLE):
        counts: Counter[str] = Counter(o for r in rows for o in r["options"])
        result.bars = _bars(list(question.choices), counts, list(question.choices), len(rows))
    else:
        texts = [r["text"] for r in rows if r["text"]]
        if survey.anonymous:
            _rng.shuffle(texts)
        result.texts = texts
    return result


def _answer_rows(survey: Survey) -> list[dict[str, Any]]:
    rows = (
        scoped(Answer, survey.organization_id)
        .filter(response__survey=survey)
        .values("question_id", "number", "options", "text", "response__team_id")
    )
    return [dict(row) for row in rows]


def results(*, membership: Membership, pk: int) -> Results:
    survey = managed_survey(membership=membership, pk=pk)
    questions = list(survey.questions.all())
    written = scoped(Response, survey.organization_id).filter(survey=survey).count()
    participants = scoped(Participation, survey.organization_id).filter(survey=survey).count()
    buffer = scoped(AnswerBuffer, survey.organization_id).filter(survey=survey).first()
    shown = not survey.anonymous or written >= MIN_GROUP
    rows = _answer_rows(survey) if shown else []
    per_question: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        per_question[row["question_id"]].append(row)
    team_ids = {r["response__team_id"] for r in rows if r["response__team_id"]}
    names = account_selectors.team_names(organization_id=survey.organization_id, team_ids=team_ids)
    return Results(
        survey=survey,
        participants=participants,
        written=written,
        waiting=buffer.pending_count if buffer else 0,
        shown=shown,
        questions=[
            _question_result(survey, q, per_question[q.pk], names)
            if shown
            else QuestionResult(question=q, shown=False)
            for q in questions
        ],
    )


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """A spreadsheet must not run a cell as a formula: a text starting with = + - @, a tab
    or a carriage return gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(question: Question, answer: Answer | None) -> Any:
    if answer is None:
        return ""
    if question.kind in NUMERIC:
        return answer.number
    if question.kind in (Kind.SINGLE, Kind.MULTIPLE):
        return "; ".join(answer.options)
    return answer.text


def export_rows(*, membership: Membership, pk: int) -> list[list[Any]]:
    """The answers, one row a person, neutralized for spreadsheets. An anonymous survey:
    nothing below MIN_GROUP answers, no name, rows shuffled, teams under the group rule."""
    survey = managed_survey(membership=membership, pk=pk)
    questions = list(survey.questions.all())
    responses = list(
        scoped(Response, survey.organization_id).filter(survey=survey).prefetch_related("answers")
    )
    if survey.anonymous and len(responses) < MIN_GROUP:
        return []
    labels = (
        team_labels([r.team_id for r in responses])
        if survey.anonymous
        else {r.team_id: r.team_id for r in responses}
    )
    other = sum(1 for r in responses if labels[r.team_id] is None)
    names = account_selectors.team_names(
        organization_id=survey.organization_id, team_ids={t for t in labels.values() if t}
    )
    people = (
        {}
        if survey.anonymous
        else account_selectors.member_names(
            organization_id=survey.organization_id,
            membership_ids={r.membership_id for r in responses if r.membership_id},
        )
    )
    header = ([] if survey.anonymous else [_("Respondent")]) + [_("Team")]
    header += [q.text for q in questions]
    table: list[list[Any]] = []
    for response in responses:
        by_question = {a.question_id: a for a in response.answers.all()}
        label = labels[response.team_id]
        team = names.get(label, "") if label else ""
        if survey.anonymous and label is None and other < MIN_GROUP:
            team = ""
        elif label is None and not survey.team_id and survey.anonymous:
            team = _("Other")
        row: list[Any] = [] if survey.anonymous else [people.get(response.membership_id or 0, "")]
        row.append(team)
        row += [_cell(q, by_question.get(q.pk)) for q in questions]
        table.append(row)
    if survey.anonymous:
        _rng.shuffle(table)
    return [[neutralize(c) for c in row] for row in [header, *table]]
