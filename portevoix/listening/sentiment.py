"""A mention's sentiment, computed locally when it is stored (decision 0027).

- English: VADER (vaderSentiment 3.3.2), whose lexicon ships in the package. Its compound
  score (-1 to 1): at least `EN_POSITIVE` (0.05) is positive, at most `EN_NEGATIVE` (-0.05)
  negative, in between neutral (VADER's own published thresholds).
- French: textblob-fr 0.2.0's `PatternAnalyzer` (its `fr-sentiment.xml` ships in the
  package; no nltk corpus is read, nothing is downloaded). Its polarity (-1 to 1): above
  `FR_POSITIVE` (0.1) positive, below `FR_NEGATIVE` (-0.1) negative, in between neutral
  (a wider dead zone than VADER's: the French lexicon gives small non-zero polarities to
  plain statements).
- The language the source gave ("fr", "fr-CA", "en-GB"...); when it gave none, a cheap
  guess from common function words (`guess_language`); when that is unsure, no sentiment
  (blank), never a guess at random.

Pure: no Django, no ORM. The analysers are built once per process, on first use.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

EN_POSITIVE, EN_NEGATIVE = 0.05, -0.05
FR_POSITIVE, FR_NEGATIVE = 0.1, -0.1
MAX_CHARS = 2000  # longer texts are read up to here (bounded time per mention)
METHODS = {"en": "VADER 3.3.2", "fr": "textblob-fr 0.2.0 (Pattern)"}

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
FRENCH_WORDS = frozenset(
    re.findall(
        r"\S+",
        "le la les un une des du de et est sont pas ne nous vous je tu il elle ils elles ce "
        "cette ces mon ma mes son sa ses leur leurs dans pour avec sur mais ou très aussi "
        "encore qui que quoi été être avoir avons avez c j n l d qu au aux chez plus moins "
        "rien tout",
    )
)
ENGLISH_WORDS = frozenset(
    re.findall(
        r"\S+",
        "the a an and is are was were not no we you i he she they it this that these those "
        "my your his her their in for with on but or very also still who what been be have "
        "has had do does did of to at from more less nothing all just so",
    )
)


@dataclass(frozen=True)
class Result:
    label: str  # "positive", "neutral", "negative"
    score: float  # the analyser's score, -1 to 1
    language: str  # "en" or "fr": which analyser read it


def guess_language(text: str) -> str:
    """ "fr", "en" or "" from common function words: at least two of one language's and
    twice as many as the other's; else unsure ("")."""
    words = [w.casefold() for w in WORD.findall(text[:MAX_CHARS])]
    french = sum(1 for w in words if w in FRENCH_WORDS)
    english = sum(1 for w in words if w in ENGLISH_WORDS)
    if french >= 2 and french >= 2 * english:
        return "fr"
    if english >= 2 and english >= 2 * french:
        return "en"
    return ""


@functools.cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@functools.cache
def _pattern_fr() -> Any:
    from textblob_fr import PatternAnalyzer

    return PatternAnalyzer()


def _label(score: float, positive: float, negative: float) -> str:
    if score >= positive:
        return "positive"
    if score <= negative:
        return "negative"
    return "neutral"


def analyse(text: str, language: str = "") -> Result | None:
    """The sentiment of a text in French or English; None for another language, an empty
    text, or a language unknown and not guessed."""
    text = " ".join(text.split())[:MAX_CHARS]
    if not text:
        return None
    language = (language or "").split("-")[0].split("_")[0].casefold() or guess_language(text)
    if language == "en":
        score = float(_vader().polarity_scores(text)["compound"])
        return Result(_label(score, EN_POSITIVE, EN_NEGATIVE), round(score, 4), "en")
    if language == "fr":
        score = float(_pattern_fr().analyze(text)[0])
        # textblob-fr's polarity strictly above / below the thresholds
        label = _label(score, FR_POSITIVE + 1e-9, FR_NEGATIVE - 1e-9)
        return Result(label, round(score, 4), "fr")
    return None
