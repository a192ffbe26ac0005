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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from portevoix.governance.matching.words import inflections, reading

# At most this many spellings of one term (the inflections of each word, combined).
MAX_FORMS_PER_TERM = 64


@dataclass(frozen=True)
class MonitorSpec:
    id: int
    terms: tuple[str, ...]
    exclusions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # empty: every language


def text_key(text: str) -> str:
    """The text's normalized words, one space between them and at each end."""
    stream, _compounds = reading(text)
    return " " + " ".join(word.norm for word in stream) + " "


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
