"""Monitor matching: pure functions, no ORM.

Words are read and normalized exactly as the guardrails read them
(`governance.matching.words`: accents off, case folded, ligatures opened, invisible
characters dropped, words are runs of letters and digits, spelled-out letters glued). The
text becomes its words joined by single spaces, with a space at each end; each term becomes
the same, so one Aho-Corasick automaton (pyahocorasick) finds every term of every monitor in
one pass, and only on word boundaries ("ora" is not in "orange"). A phrase matches word after
word whatever separates them ("Projet Orion" in "projet-orion", "PROJET  ORION's"), and
written as one word ("#ProjetOrion"). Regular French and English plural and feminine forms
of each word match too ("livraison" finds "livraisons"). A monitor matches a text when one of
its terms is found and none of its exclusions; its languages (empty: any) are compared with
the text's language when the source gives one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from portevoix.governance.matching.words import JOINERS, _fold_char, inflections, reading

# At most this many spellings of one term (the inflections of each word, combined).
MAX_FORMS_PER_TERM = 64


@dataclass(frozen=True)
class MonitorSpec:
    id: int
    terms: tuple[str, ...]
    exclusions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # empty: every language


def slow_text_key(text: str) -> str:
    """The text's normalized words, one space between them and at each end, read by the
    guardrails' own reader (which also keeps offsets, unneeded here)."""
    stream, _compounds = reading(text)
    return " " + " ".join(word.norm for word in stream) + " "


# --- The same reading, fast (decision 0025, "Speed"): a post is folded by one
# `str.translate` with a table filled as characters are met, its words found by one regular
# expression, and only the gluing of spelled-out letters is done word by word in Python.
# It gives exactly what `slow_text_key` gives (tests/listening/test_matching.py checks it on
# generated texts); a text holding a character whose folded form mixes letters with other
# signs (a rare compatibility character such as "⒜") is read the slow way.

INVISIBLE = "\x00"  # stands for what folds to nothing: an invisible character, an accent
_FOLDS: dict[int, str] = {}
_AWKWARD: set[int] = set()
# A word: letters or digits, with the invisible characters inside or right after it.
_WORD = re.compile(r"[^\W_](?:[^\W_]|\x00)*")
MAX_JOINED = 40  # as the guardrails' MAX_JOINED_PARTS


def _learn(text: str) -> bool:
    """Fill the fold table with the text's new characters; False if one is awkward."""
    for char in set(text):
        code = ord(char)
        if code in _FOLDS:
            continue
        if code in _AWKWARD:
            return False
        folded = _fold_char(char)
        if folded == "":
            _FOLDS[code] = INVISIBLE
        elif char == INVISIBLE:
            _AWKWARD.add(code)
            return False
        elif all(c.isalnum() for c in folded) or (
            len(folded) == 1 and (folded in JOINERS) == (char in JOINERS)
        ):
            _FOLDS[code] = folded
        else:
            _AWKWARD.add(code)
            return False
    return True


def text_key(text: str) -> str:
    """The text's normalized words, one space between them and at each end."""
    if not _learn(text):
        return slow_text_key(text)
    folded = text.translate(_FOLDS)
    out: list[str] = []
    run: list[str] = []  # the current compound's parts (glued by single joiners)
    last_end = -1
    for match in _WORD.finditer(folded):
        start, end = match.span()
        word = match.group().replace(INVISIBLE, "")
        if run and not (
            start - last_end == 1 and folded[last_end] in JOINERS and len(run) < MAX_JOINED
        ):
            _glue_letters(run, out)
            run = []
        run.append(word)
        last_end = end
    if run:
        _glue_letters(run, out)
    return " " + " ".join(out) + " "


def _glue_letters(parts: list[str], out: list[str]) -> None:
    """Inside one compound, runs of single letters become one word ("O.R.I.O.N")."""
    letters: list[str] = []
    for part in parts:
        if len(part) == 1 and part.isalpha():
            letters.append(part)
            continue
        if letters:
            out.append("".join(letters))
            letters = []
        out.append(part)
    if letters:
        out.append("".join(letters))


def term_forms(term: str) -> set[str]:
    """Every spelling of `term` the automaton looks for, each padded like `text_key`."""
    stream, _compounds = reading(term)
    norms = [word.norm for word in stream]
    if not norms:
        return set()
    variants = [[norm, *sorted(inflections(norm))] for norm in norms]
    forms = {
        " " + " ".join(combo) + " "
        for combo in itertools.islice(itertools.product(*variants), MAX_FORMS_PER_TERM)
    }
    if len(norms) > 1:
        forms.add(" " + "".join(norms) + " ")
    return forms


INCLUDE = 0
EXCLUDE = 1


class Matcher:
    """The monitors of one organization, compiled once into one automaton."""

    def __init__(self, monitors: Iterable[MonitorSpec]) -> None:
        self.monitors = {m.id: m for m in monitors}
        table: dict[str, set[tuple[int, int]]] = {}
        for monitor in self.monitors.values():
            for kind, terms in ((INCLUDE, monitor.terms), (EXCLUDE, monitor.exclusions)):
                for term in terms:
                    for form in term_forms(term):
                        table.setdefault(form, set()).add((monitor.id, kind))
        self.automaton: ahocorasick.Automaton | None = None
        if table:
            automaton = ahocorasick.Automaton()
            for form, targets in table.items():
                automaton.add_word(form, tuple(sorted(targets)))
            automaton.make_automaton()
            self.automaton = automaton

    def match(self, text: str, language: str = "") -> list[int]:
        """The ids of the monitors that `text` matches, in order."""
        if self.automaton is None:
            return []
        found: set[int] = set()
        excluded: set[int] = set()
        for _end, targets in self.automaton.iter(text_key(text)):
            for monitor_id, kind in targets:
                (excluded if kind == EXCLUDE else found).add(monitor_id)
        return sorted(
            monitor_id
            for monitor_id in found - excluded
            if _speaks(self.monitors[monitor_id].languages, language)
        )


def _speaks(languages: Sequence[str], language: str) -> bool:
    return not languages or not language or language in languages


def language_code(value: str | None) -> str:
    """The primary language of a tag (fr-FR -> fr, de -> de); empty when the source does
    not say, or says something that is not a language tag."""
    code = (value or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return code if 2 <= len(code) <= 3 and code.isascii() and code.isalpha() else ""
