"""The guardrail matching engine: pure functions, no ORM, no Django.

Given a text and the organization's rules (plain `Rule` values), find every term, link or
missing disclosure the writer should know about, with exact offsets in the ORIGINAL text
(Unicode code points, as Python indexes a `str`; the browser script converts them).

How words are compared:

- Normalization: Unicode NFKD, combining accents dropped, `casefold()`; the ligatures œ and
  æ read as "oe" and "ae"; invisible format characters (zero-width space, soft hyphen...)
  are ignored, so "Ori\u200bon" is "orion".
- Words are maximal runs of letters and digits. Everything else (spaces, punctuation,
  apostrophes, hyphens, emoji) separates words, so a term never matches inside another
  word ("ora" is not in "orange", "cat" is not in "category").
- Multi-word terms match word after word, whatever separates them: "Projet Orion" matches
  "projet-orion", "Projet  Orion", "PROJET ORION's", "projet\nOrion". They also match
  written as one word ("ProjetOrion", "#projetorion").
- Spelled-out words: letters joined by dots, hyphens, underscores, stars or slashes are read
  as one word ("O.R.I.O.N", "o-r-i-o-n"), and so is a whole hyphenated or dotted compound
  ("con-fi-den-tiel").
- Inflections (regular French and English): plural -s, -x (after au/eu/ou), -es (after
  s, x, z, ch, sh), -al/-ail -> -aux, consonant + y -> -ies, -f/-fe -> -ves; French
  feminine -el -> -elle, -en -> -enne, -on -> -onne, -et -> -ette/-ète, -er -> -ère,
  -eux -> -euse, -if -> -ive, and a final -e on words of five letters or more. Either side
  may be the inflected one: the term "projets" matches "projet" and the other way round.
  Words of one or two letters are never inflected ("CA" does not match "cas").

Limits, on purpose: no dictionary, so irregular forms ("œil"/"yeux") are not related, and a
short word that happens to be an inflection of a term is flagged ("plane" is not flagged by
"plan": five letters are needed for the final -e, but "notes" is flagged by "note"). Words
written without spaces in scripts that do not use them (Chinese, Japanese) are one word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from twitter_text import extract_urls_with_indices

from .words import Word, bases, normalize, reading, same_word
from .words import inflections as inflections  # re-exported
from .words import words as words  # re-exported

# Kinds of rule.
BLOCKED_TERM = "blocked_term"
AVOID_WORD = "avoid_word"
COMPETITOR = "competitor"
LINK_DOMAIN = "link_domain"
DISCLOSURE = "disclosure"
TERM_KINDS = (BLOCKED_TERM, AVOID_WORD, COMPETITOR)
KINDS = (BLOCKED_TERM, AVOID_WORD, COMPETITOR, LINK_DOMAIN, DISCLOSURE)

BLOCK = "block"
WARN = "warn"
ACTIONS = (BLOCK, WARN)

# A disclosure under this key applies to every network without one of its own.
ANY_NETWORK = "*"


@dataclass(frozen=True)
class Rule:
    """One guardrail rule, as plain data."""

    id: int
    kind: str
    action: str
    terms: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()  # empty: every network (and texts without one)
    allowed_domains: tuple[str, ...] = ()
    disclosures: dict[str, str] = field(default_factory=dict)
    reason: str = ""

    def applies_to(self, network: str) -> bool:
        return not self.networks or network in self.networks


@dataclass(frozen=True)
class Hit:
    """Something a rule found. `start`/`end` index the original text (code points);
    `term` is the rule's term, domain or disclosure; `found` the text as written."""

    rule_id: int
    kind: str
    action: str
    term: str
    start: int
    end: int
    found: str
    reason: str
    code: str = ""  # for links and disclosures: "domain", "disclosure_missing_no_room"


@dataclass(frozen=True)
class Outcome:
    text: str  # the text, with the required disclosure appended where it fits
    hits: tuple[Hit, ...]
    disclosure_added: str = ""


# --- Terms


class _Index:
    """The text's words, looked up by every form they may stand for."""

    def __init__(self, stream: list[Word], compounds: list[Word]) -> None:
        self.stream = stream
        self.by_form: dict[str, list[int]] = {}
        for position, word in enumerate(stream):
            for form in {word.norm, *bases(word.norm)}:
                self.by_form.setdefault(form, []).append(position)
        self.compounds_by_form: dict[str, list[Word]] = {}
        for compound in compounds:
            for form in {compound.norm, *bases(compound.norm)}:
                self.compounds_by_form.setdefault(form, []).append(compound)

    def positions(self, term_word: str) -> list[int]:
        """Positions of words that are `term_word` or one of its inflections, or of which
        `term_word` is an inflection."""
        found = set(self.by_form.get(term_word, ()))
        for base in bases(term_word):
            found.update(p for p in self.by_form.get(base, ()) if self.stream[p].norm == base)
        return sorted(found)

    def compounds(self, form: str) -> list[Word]:
        found = {(w.start, w.end): w for w in self.compounds_by_form.get(form, ())}
        for base in bases(form):
            for w in self.compounds_by_form.get(base, ()):
                if w.norm == base:
                    found[(w.start, w.end)] = w
        return list(found.values())


@lru_cache(maxsize=20_000)
def term_words(term: str) -> tuple[str, ...]:
    """The normalized words of a term, read the same way as the text."""
    stream, _compounds = reading(term)
    return tuple(w.norm for w in stream)


def find_term(term: str, index: _Index) -> list[tuple[int, int]]:
    """Spans (start, end) of the original text where `term` occurs."""
    parts = term_words(term)
    if not parts:
        return []
    spans: set[tuple[int, int]] = set()
    stream = index.stream
    for position in index.positions(parts[0]):
        if position + len(parts) > len(stream):
            continue
        if all(same_word(parts[k], stream[position + k].norm) for k in range(1, len(parts))):
            spans.add((stream[position].start, stream[position + len(parts) - 1].end))
    # Written as one word: "ProjetOrion", "lowcost", or a glued compound.
    whole = "".join(parts)
    if len(parts) > 1:
        for position in index.positions(whole):
            spans.add((stream[position].start, stream[position].end))
    for compound in index.compounds(whole):
        spans.add((compound.start, compound.end))
    return sorted(spans)


# --- Links


def _domain_key(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def clean_domain(value: str) -> str:
    """A domain as an organization may type it: "https://www.Example.com/x" -> the host."""
    value = value.strip()
    if "://" not in value:
        value = "//" + value
    host = urlsplit(value).hostname or ""
    return _domain_key(host)


def domain_allowed(host: str, allowed: Iterable[str]) -> bool:
    """Whether `host` is one of the `allowed` domains or a subdomain of one."""
    key = _domain_key(host)
    for domain in allowed:
        domain = _domain_key(domain)
        if domain and (key == domain or key.endswith("." + domain)):
            return True
    return False


def links(text: str) -> list[tuple[str, str, int, int]]:
    """(url, host, start, end) of every link in `text`, as the networks detect them."""
    found = []
    for entry in extract_urls_with_indices(text):
        url = entry["url"]
        start, end = entry["indices"]
        host = urlsplit(url if "://" in url else "//" + url).hostname or ""
        found.append((url, host, start, end))
    return found


# --- Disclosure


def has_disclosure(text: str, disclosure: str) -> bool:
    """Whether `text` already carries `disclosure` (case and accents ignored; not as part of
    a longer word: "#employees" does not stand for "#employee")."""
    wanted = normalize(disclosure).strip()
    if not wanted:
        return True
    haystack = normalize(text)
    pattern = re.escape(wanted)
    if wanted[0].isalnum():
        pattern = r"(?<!\w)" + pattern
    if wanted[-1].isalnum():
        pattern += r"(?!\w)"
    return re.search(pattern, haystack) is not None


def disclosure_for(rules: Iterable[Rule], network: str) -> tuple[Rule, str] | None:
    if not network:
        return None
    for rule in rules:
        if rule.kind != DISCLOSURE or not rule.applies_to(network):
            continue
        text = rule.disclosures.get(network) or rule.disclosures.get(ANY_NETWORK) or ""
        if text.strip():
            return rule, text.strip()
    return None


# --- Everything


FitCheck = Callable[[str], bool]


def check(
    text: str,
    rules: Iterable[Rule],
    *,
    network: str = "",
    fits: FitCheck | None = None,
    extra_allowed_domains: Iterable[str] = (),
) -> Outcome:
    """Run `rules` on `text` written for `network` ("" for a text with no network, such as a
    comment: network-specific rules and disclosures do not apply).

    `fits(candidate)` says whether a text fits the network (length limit); the disclosure is
    appended only when it does. `extra_allowed_domains` are always allowed (the platform's
    own short links)."""
    applicable = [r for r in rules if r.applies_to(network)]
    hits: list[Hit] = []
    stream, compounds = reading(text)
    index = _Index(stream, compounds)
    for rule in applicable:
        if rule.kind in TERM_KINDS:
            for term in rule.terms:
                for start, end in find_term(term, index):
                    hits.append(
                        Hit(
                            rule.id,
                            rule.kind,
                            rule.action,
                            term,
                            start,
                            end,
                            text[start:end],
                            rule.reason,
                        )
                    )
        elif rule.kind == LINK_DOMAIN:
            allowed = [*rule.allowed_domains, *extra_allowed_domains]
            for _url, host, start, end in links(text):
                if host and not domain_allowed(host, allowed):
                    hits.append(
                        Hit(
                            rule.id,
                            rule.kind,
                            rule.action,
                            _domain_key(host),
                            start,
                            end,
                            text[start:end],
                            rule.reason,
                            code="domain",
                        )
                    )
    result_text = text
    added = ""
    required = disclosure_for(applicable, network)
    if required is not None and text.strip():
        rule, disclosure = required
        if not has_disclosure(text, disclosure):
            candidate = text.rstrip() + " " + disclosure
            if fits is None or fits(candidate):
                result_text = candidate
                added = disclosure
            else:
                end = len(text)
                hits.append(
                    Hit(
                        rule.id,
                        rule.kind,
                        rule.action,
                        disclosure,
                        end,
                        end,
                        "",
                        rule.reason,
                        code="disclosure_no_room",
                    )
                )
    hits.sort(key=lambda h: (h.start, h.end, h.rule_id, h.term))
    return Outcome(text=result_text, hits=tuple(_dedupe(hits)), disclosure_added=added)


def _dedupe(hits: list[Hit]) -> list[Hit]:
    seen: set[tuple[int, int, int]] = set()
    unique = []
    for hit in hits:
        key = (hit.rule_id, hit.start, hit.end)
        if key not in seen:
            seen.add(key)
            unique.append(hit)
    return unique


def segments(text: str, hits: Sequence[Hit]) -> list[tuple[str, str]]:
    """`text` cut into (piece, action) where action is "block", "warn" or "" (not matched),
    for highlighting. Overlapping hits merge; "block" wins over "warn"."""
    marks = [""] * len(text)
    for hit in hits:
        for i in range(max(hit.start, 0), min(hit.end, len(text))):
            if marks[i] != BLOCK:
                marks[i] = hit.action
    pieces: list[tuple[str, str]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or marks[i] != marks[start]:
            pieces.append((text[start:i], marks[start]))
            start = i
    return pieces
