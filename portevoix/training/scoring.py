"""Quiz scoring, without the ORM.

The rules:

- a single-choice question is correct when the one chosen answer is a correct one;
- a multiple-choice question is correct only when exactly the set of correct answers is
  chosen: a missing correct answer or an extra wrong one makes the whole question wrong
  (no partial credit);
- an unanswered question is wrong;
- score = correct questions / questions x 100, rounded down; passed when score >= the
  course's passing score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SINGLE = "single"
MULTIPLE = "multiple"


@dataclass(frozen=True)
class QuestionKey:
    """What scoring needs to know about one question."""

    id: int
    kind: str  # "single" | "multiple"
    correct: frozenset[int]  # ids of the correct choices
    choices: frozenset[int]  # ids of every choice


@dataclass(frozen=True)
class QuestionResult:
    question_id: int
    chosen: frozenset[int]
    correct: bool


@dataclass(frozen=True)
class Score:
    results: tuple[QuestionResult, ...]
    correct_count: int
    question_count: int
    score: int
    passed: bool


def is_correct(key: QuestionKey, chosen: frozenset[int]) -> bool:
    if key.kind == SINGLE:
        return len(chosen) == 1 and chosen <= key.correct
    return bool(chosen) and chosen == key.correct


def percent(correct: int, total: int) -> int:
    """Whole percent, rounded down (2 of 3 is 66)."""
    if total <= 0:
        return 0
    return (correct * 100) // total


def score_answers(
    keys: Iterable[QuestionKey], answers: Mapping[int, Iterable[int]], passing_score: int
) -> Score:
    """Score `answers` ({question id: chosen choice ids}) against `keys`. The caller has
    already refused unknown questions and choices (see `services.quiz_submit`)."""
    results = []
    for key in keys:
        chosen = frozenset(answers.get(key.id, ()))
        results.append(QuestionResult(key.id, chosen, is_correct(key, chosen)))
    correct_count = sum(1 for r in results if r.correct)
    value = percent(correct_count, len(results))
    return Score(
        results=tuple(results),
        correct_count=correct_count,
        question_count=len(results),
        score=value,
        passed=bool(results) and value >= passing_score,
    )
