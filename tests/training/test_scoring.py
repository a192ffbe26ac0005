"""Quiz scoring, as a table: single choice, multiple choice (exact set only), rounding."""

from __future__ import annotations

import pytest

from portevoix.training.scoring import QuestionKey, is_correct, percent, score_answers

SINGLE = QuestionKey(id=1, kind="single", correct=frozenset({11}), choices=frozenset({11, 12, 13}))
MULTIPLE = QuestionKey(
    id=2, kind="multiple", correct=frozenset({21, 23}), choices=frozenset({21, 22, 23, 24})
)


@pytest.mark.parametrize(
    ("key", "chosen", "expected"),
    [
        (SINGLE, {11}, True),  # the correct answer
        (SINGLE, {12}, False),  # a wrong answer
        (SINGLE, set(), False),  # no answer
        (SINGLE, {11, 12}, False),  # two answers to a single-choice question
        (MULTIPLE, {21, 23}, True),  # exactly the correct set
        (MULTIPLE, {21}, False),  # part of the correct set: no partial credit
        (MULTIPLE, {23}, False),
        (MULTIPLE, {21, 22, 23}, False),  # the correct set plus a wrong one
        (MULTIPLE, {21, 22, 23, 24}, False),  # everything ticked
        (MULTIPLE, {22, 24}, False),  # only wrong ones
        (MULTIPLE, set(), False),  # nothing ticked
    ],
)
def test_question_is_correct(key, chosen, expected):
    assert is_correct(key, frozenset(chosen)) is expected


@pytest.mark.parametrize(
    ("correct", "total", "expected"),
    [(0, 3, 0), (1, 3, 33), (2, 3, 66), (3, 3, 100), (5, 6, 83), (4, 5, 80), (0, 0, 0)],
)
def test_percent_is_rounded_down(correct, total, expected):
    assert percent(correct, total) == expected


def test_score_counts_questions_and_passes_at_the_mark():
    keys = [SINGLE, MULTIPLE]
    both = score_answers(keys, {1: [11], 2: [21, 23]}, passing_score=100)
    assert (both.correct_count, both.question_count, both.score, both.passed) == (2, 2, 100, True)
    half = score_answers(keys, {1: [11], 2: [21]}, passing_score=50)
    assert (half.score, half.passed) == (50, True)  # score >= passing score passes
    assert score_answers(keys, {1: [11], 2: [21]}, passing_score=51).passed is False
    unanswered = score_answers(keys, {}, passing_score=1)
    assert (unanswered.score, unanswered.passed) == (0, False)
    assert [r.correct for r in half.results] == [True, False]
    assert half.results[1].chosen == frozenset({21})


def test_an_empty_quiz_never_passes():
    assert score_answers([], {}, passing_score=1).passed is False
