"""Answering a survey, and how anonymous answers are kept apart from the people who gave
them (docs/decisions/0008-anonymous-survey-answers.md).

- `Participation` (who answered, once) is written at once, with the day only.
- A named survey's answers are written at once, with the member.
- An anonymous survey's answers go into its encrypted `AnswerBuffer`, at a random place;
  once `FLUSH_AT` wait, they are written together in a random order (random keys, no time,
  no member, no team). The authors' teams stay in the encrypted buffer until the survey
  closes; `survey_seal` then writes every answer again, shuffled, with the team labels the
  group-of-five rule allows.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portevoix.accounts import selectors as account_selectors
from portevoix.accounts.permissions import require
from portevoix.core import clock, crypto
from portevoix.core.errors import Conflict, DomainError, NotFound
from portevoix.core.tenancy import get_scoped, scoped

from .. import signals
from ..eligibility import is_in_audience
from ..models import Answer, AnswerBuffer, Kind, Participation, Question, Response, State, Survey
from ..selectors import nav

if TYPE_CHECKING:
    from portevoix.accounts.models import Membership

# Anonymous answers are written once at least this many wait (and when the survey closes).
FLUSH_AT = 5
# The smallest group whose results are shown, and whose team label is kept.
MIN_GROUP = 5
MAX_TEXT = 2000

_rng = random.SystemRandom()


@dataclass(frozen=True)
class Given:
    """One answer, validated: a number (scales, eNPS), options (choices) or a text."""

    question_id: int
    number: int | None = None
    options: tuple[str, ...] = ()
    text: str = ""

    def as_json(self) -> list[Any]:
        return [self.question_id, self.number, list(self.options), self.text]

    @classmethod
    def from_json(cls, row: list[Any]) -> Given:
        return cls(question_id=row[0], number=row[1], options=tuple(row[2]), text=row[3])


def _number(raw: Any, low: int, high: int) -> int | None:
    text = str(raw).strip()
    if text.isdigit() and len(text) <= 2 and low <= int(text) <= high:
        return int(text)
    return None


def _clean(questions: list[Question], raw: Mapping[int, Any]) -> list[Given]:
    """The answers given, checked against each question (field errors keyed `q<id>`)."""
    errors: dict[str, list[str]] = {}
    given: list[Given] = []
    for question in questions:
        value = raw.get(question.pk)
        empty = value in (None, "", [], ())
        key = f"q{question.pk}"
        if empty:
            if question.required:
                errors[key] = [_("Please answer this question.")]
            continue
        if question.kind in (Kind.SCALE5, Kind.SCALE10, Kind.ENPS):
            low, high = (1, 5) if question.kind == Kind.SCALE5 else (0, 10)
            number = _number(value, low, high)
            if number is None:
                errors[key] = [
                    _("Choose a value between %(low)s and %(high)s.") % {"low": low, "high": high}
                ]
            else:
                given.append(Given(question.pk, number=number))
        elif question.kind in (Kind.SINGLE, Kind.MULTIPLE):
            values = [value] if isinstance(value, str) else list(value or ())
            if any(v not in question.choices for v in values) or (
                question.kind == Kind.SINGLE and len(values) != 1
            ):
                errors[key] = [_("Choose among the options offered.")]
            else:
                ordered = tuple(c for c in question.choices if c in values)
                given.append(Given(question.pk, options=ordered))
        else:
            text = str(value).strip()[:MAX_TEXT]
            if text:
                given.append(Given(question.pk, text=text))
            elif question.required:
                errors[key] = [_("Please answer this question.")]
    if errors:
        raise DomainError(_("Please correct your answers."), field_errors=errors)
    return given


def _team_of(survey: Survey, membership_id: int) -> int | None:
    """The team an answer counts for: the audience's, else the member's first team."""
    if survey.team_id:
        return None  # one team's survey: no breakdown by team
    teams = account_selectors.teams_by_member([membership_id]).get(membership_id, [])
    return min(teams) if teams else None


def _answer_rows(response: Response, given: list[Given]) -> list[Answer]:
    return [
        Answer(
            id=uuid.uuid4(),
            organization_id=response.organization_id,
            response=response,
            question_id=g.question_id,
            number=g.number,
            options=list(g.options),
            text=g.text,
        )
        for g in given
    ]


def _write(
    survey: Survey, batch: list[tuple[int | None, list[Given]]], *, member: int | None
) -> list[uuid.UUID]:
    """Write responses (in the order given) with random keys; answers their keys."""
    responses, answers, written = [], [], []
    for team_id, given in batch:
        response = Response(
            id=uuid.uuid4(),
            organization_id=survey.organization_id,
            survey=survey,
            membership_id=member,
            team_id=team_id,
        )
        responses.append(response)
        answers += _answer_rows(response, given)
        written.append(response.id)
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
    return written


def _load(text: str, default: Any) -> Any:
    return json.loads(crypto.decrypt(text)) if text else default


def _dump(value: Any) -> str:
    return crypto.encrypt(json.dumps(value))


def _buffer(survey: Survey) -> AnswerBuffer:
    AnswerBuffer.objects.get_or_create(
        survey=survey, defaults={"organization_id": survey.organization_id}
    )
    return AnswerBuffer.objects.select_for_update().get(survey=survey)


def _flush(survey: Survey, buffer: AnswerBuffer) -> int:
    """Write what waits, shuffled; keep the authors' teams (encrypted) for the close."""
    pending = [
        (team, [Given.from_json(g) for g in given]) for team, given in _load(buffer.pending, [])
    ]
    if not pending:
        return 0
    _rng.shuffle(pending)
    # Written without their team, which stays encrypted in the buffer until the close.
    written = _write(survey, [(None, given) for _team, given in pending], member=None)
    teams = _load(buffer.teams, {})
    teams.update({str(pk): team for pk, (team, _given) in zip(written, pending, strict=True)})
    buffer.pending, buffer.pending_count, buffer.teams = "", 0, _dump(teams)
    buffer.save(update_fields=["pending", "pending_count", "teams"])
    return len(written)


def _buffer_add(survey: Survey, team_id: int | None, given: list[Given]) -> None:
    buffer = _buffer(survey)
    pending = _load(buffer.pending, [])
    pending.insert(secrets.randbelow(len(pending) + 1), [team_id, [g.as_json() for g in given]])
    buffer.pending, buffer.pending_count = _dump(pending), len(pending)
    buffer.save(update_fields=["pending", "pending_count"])
    if len(pending) >= FLUSH_AT:
        _flush(survey, buffer)


@transaction.atomic
def survey_answer(*, membership: Membership, survey_id: int, answers: Mapping[int, Any]) -> None:
    """Answer once, before the deadline, when in the survey's audience (else 404)."""
    require(membership, "survey.answer")
    survey = get_scoped(
        Survey.objects.select_for_update(), membership.organization_id, pk=survey_id
    )
    if survey.state == State.DRAFT or not is_in_audience(membership, survey):
        raise NotFound(_("Not found."))
    now = clock.now()
    if survey.state != State.OPEN or survey.deadline <= now:
        raise DomainError(_("This survey is closed."))
    questions = list(scoped(Question, membership.organization_id).filter(survey=survey))
    given = _clean(questions, answers)
    try:
        with transaction.atomic():
            Participation.objects.create(
                organization_id=membership.organization_id,
                survey=survey,
                membership=membership,
                answered_on=now.date(),
            )
    except IntegrityError as exc:
        raise Conflict(_("You already answered this survey.")) from exc
    team_id = _team_of(survey, membership.pk)
    if survey.anonymous:
        _buffer_add(survey, team_id, given)
    else:
        _write(survey, [(team_id, given)], member=membership.pk)
    transaction.on_commit(lambda: nav.forget_member(membership.organization_id, membership.pk))
    signals.survey_answered.send(
        sender=Survey,
        organization_id=membership.organization_id,
        membership_id=membership.pk,
        survey_id=survey.pk,
        at=now,
    )


def team_labels(teams: list[int | None]) -> dict[int | None, int | None]:
    """{team: the label kept}: a team with fewer than MIN_GROUP answers becomes "other"
    (None); while "other" has 1 to 4, the smallest remaining team joins it."""
    counts = Counter(teams)
    kept = {t for t, n in counts.items() if t is not None and n >= MIN_GROUP}
    other = sum(n for t, n in counts.items() if t not in kept)
    while 0 < other < MIN_GROUP and kept:
        smallest = min(kept, key=lambda t: (counts[t], t or 0))
        kept.discard(smallest)
        other += counts[smallest]
    return {t: (t if t in kept else None) for t in counts}


def _seal(survey: Survey) -> None:
    """An anonymous survey closes: everything waiting is written, then every answer is
    written again in a random order with fresh keys and the allowed team labels."""
    buffer = _buffer(survey)
    _flush(survey, buffer)
    teams = {uuid.UUID(k): v for k, v in _load(buffer.teams, {}).items()}
    responses = list(
        scoped(Response, survey.organization_id).filter(survey=survey).prefetch_related("answers")
    )
    labels = team_labels([teams.get(r.pk) for r in responses])
    batch = [
        (
            labels[teams.get(r.pk)],
            [Given(a.question_id, a.number, tuple(a.options), a.text) for a in r.answers.all()],
        )
        for r in responses
    ]
    _rng.shuffle(batch)
    scoped(Response, survey.organization_id).filter(survey=survey).delete()
    _write(survey, batch, member=None)
    buffer.pending, buffer.pending_count, buffer.teams = "", 0, ""
    buffer.save(update_fields=["pending", "pending_count", "teams"])


def close(survey: Survey, now: dt.datetime) -> None:
    """Close a locked open survey (its deadline passed, or an administrator closed it)."""
    if survey.anonymous:
        _seal(survey)
    survey.state = State.CLOSED
    survey.closed_at = now
    survey.save(update_fields=["state", "closed_at"])
    organization_id = survey.organization_id
    transaction.on_commit(lambda: nav.remember_open(organization_id))


@transaction.atomic
def survey_close(*, actor: Membership, survey_id: int) -> Survey:
    require(actor, "survey.manage")
    survey = get_scoped(Survey.objects.select_for_update(), actor.organization_id, pk=survey_id)
    if survey.state != State.OPEN:
        raise DomainError(_("Only an open survey can be closed."))
    close(survey, clock.now())
    return survey
