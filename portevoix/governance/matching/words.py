"""Normalization, words and inflections of the guardrail matching (see the package's
docstring for the rules)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# Characters that glue spelled-out letters or the parts of a compound into one word.
JOINERS = frozenset("-‐‑‒–.·_*/•")  # noqa: RUF001 - the dashes are meant
# Ligatures that NFKD keeps as one letter.
EXTRA_FOLDS = {"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i"}  # noqa: RUF001
# Longest run of spelled-out letters or compound parts read as one word.
MAX_JOINED_PARTS = 40
MIN_INFLECTED_LENGTH = 3
MIN_FEMININE_E_LENGTH = 5


# --- Normalization and words


@dataclass(frozen=True)
class Word:
    norm: str
    start: int  # in the original text
    end: int


def _fold_char(char: str) -> str:
    """The normalized form of one original character (possibly empty or several)."""
    if unicodedata.category(char) == "Cf":  # zero-width space, soft hyphen, joiners
        return ""
    out = []
    for part in unicodedata.normalize("NFKD", char):
        if unicodedata.combining(part):
            continue
        for folded in part.casefold():
            out.append(EXTRA_FOLDS.get(folded, folded))
    return "".join(out)


def normalize(text: str) -> str:
    """Accents off, case folded, ligatures opened, invisible characters dropped."""
    return "".join(_fold_char(c) for c in text)


def _is_word_char(char: str) -> bool:
    return char.isalnum()


def words(text: str) -> list[Word]:
    """The words of `text` with their offsets in `text`."""
    result: list[Word] = []
    current: list[str] = []
    start = -1
    end = -1
    for index, char in enumerate(text):
        folded = _fold_char(char)
        if not folded:
            # Invisible, or a combining mark: part of the word in progress, if any.
            if current:
                end = index + 1
            continue
        for piece in folded:
            if _is_word_char(piece):
                if not current:
                    start = index
                current.append(piece)
                end = index + 1
            elif current:
                result.append(Word("".join(current), start, end))
                current = []
    if current:
        result.append(Word("".join(current), start, end))
    return result


def _glued(text: str, left: Word, right: Word) -> bool:
    gap = text[left.end : right.start]
    return len(gap) == 1 and gap in JOINERS


def _join(parts: Sequence[Word]) -> Word:
    return Word("".join(p.norm for p in parts), parts[0].start, parts[-1].end)


def reading(text: str) -> tuple[list[Word], list[Word]]:
    """The words to match, and the extra one-word readings of compounds.

    Runs of single letters glued by joiners become one word ("O.R.I.O.N" -> "orion"). A
    compound of several parts glued by joiners is also read whole ("con-fi-den-tiel",
    "projet-orion" -> "projetorion"), as an alternative for one-word terms."""
    raw = words(text)
    stream: list[Word] = []
    compounds: list[Word] = []
    i = 0
    while i < len(raw):
        j = i
        while (
            j + 1 < len(raw) and j + 1 - i < MAX_JOINED_PARTS and _glued(text, raw[j], raw[j + 1])
        ):
            j += 1
        group = raw[i : j + 1]
        if len(group) > 1:
            compounds.append(_join(group))
        # Inside the compound, glue runs of single letters.
        k = 0
        while k < len(group):
            m = k
            while (
                m + 1 < len(group)
                and len(group[m].norm) == 1
                and group[m].norm.isalpha()
                and len(group[m + 1].norm) == 1
                and group[m + 1].norm.isalpha()
            ):
                m += 1
            stream.append(_join(group[k : m + 1]) if m > k else group[k])
            k = m + 1
        i = j + 1
    return stream, compounds


# --- Inflections

_VOWELS = frozenset("aeiouy")


def _feminines(base: str) -> set[str]:
    forms: set[str] = set()
    for masc, fem in (
        ("el", "elle"),
        ("en", "enne"),
        ("on", "onne"),
        ("et", "ette"),
        ("et", "ete"),
        ("er", "ere"),
        ("eux", "euse"),
        ("if", "ive"),
    ):
        if base.endswith(masc):
            forms.add(base[: len(base) - len(masc)] + fem)
    if len(base) >= MIN_FEMININE_E_LENGTH and not base.endswith("e") and base.isalpha():
        forms.add(base + "e")
    return forms


def _plurals(word: str) -> set[str]:
    forms: set[str] = set()
    if word[-1] not in "sxz":
        forms.add(word + "s")
    if word.endswith(("au", "eu", "ou")):
        forms.add(word + "x")
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word + "es")
    if word.endswith("al"):
        forms.add(word[:-2] + "aux")
    if word.endswith("ail"):
        forms.add(word[:-3] + "aux")
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        forms.add(word[:-1] + "ies")
    if word.endswith("fe"):
        forms.add(word[:-2] + "ves")
    elif word.endswith("f"):
        forms.add(word[:-1] + "ves")
    return forms


@lru_cache(maxsize=20_000)
def inflections(base: str) -> frozenset[str]:
    """Regular plural and feminine forms of `base` (normalized), without `base` itself."""
    if len(base) < MIN_INFLECTED_LENGTH or not base.isalpha():
        return frozenset()
    feminine = _feminines(base)
    forms = set(feminine) | _plurals(base)
    for fem in feminine:
        forms |= _plurals(fem)
    forms.discard(base)
    return frozenset(forms)


# Every ending that an inflection may add, with what it may have replaced.
_REVERSALS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("s", ("",)),
    ("x", ("",)),
    ("es", ("",)),
    ("aux", ("al", "ail")),
    ("ies", ("y",)),
    ("ves", ("f", "fe")),
    ("elle", ("el",)),
    ("enne", ("en",)),
    ("onne", ("on",)),
    ("ette", ("et",)),
    ("ete", ("et",)),
    ("ere", ("er",)),
    ("euse", ("eux",)),
    ("ive", ("if",)),
    ("e", ("",)),
)


def _reverse_once(word: str) -> set[str]:
    found: set[str] = set()
    for ending, replacements in _REVERSALS:
        if word.endswith(ending):
            stem = word[: len(word) - len(ending)]
            for replacement in replacements:
                candidate = stem + replacement
                if len(candidate) >= MIN_INFLECTED_LENGTH:
                    found.add(candidate)
    return found


@lru_cache(maxsize=20_000)
def bases(word: str) -> frozenset[str]:
    """The words of which `word` is a regular inflection (the inverse of `inflections`)."""
    if not word.isalpha():
        return frozenset()
    candidates = _reverse_once(word)
    for candidate in list(candidates):
        candidates |= _reverse_once(candidate)  # plural of a feminine
    return frozenset(c for c in candidates if c != word and word in inflections(c))


def same_word(term_word: str, text_word: str) -> bool:
    """Whether two normalized words are the same word, up to a regular inflection."""
    return (
        term_word == text_word
        or text_word in inflections(term_word)
        or term_word in inflections(text_word)
    )
