"""Monitor matching on a table of French and English cases: accents, case, word
boundaries, phrases, hashtags and mentions, plurals, exclusions, languages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portevoix.listening.matching import (
    Matcher,
    MonitorSpec,
    language_code,
    slow_text_key,
    term_forms,
    text_key,
)

BRAND = MonitorSpec(1, ("Portevoix", "Projet Orion"), exclusions=("portevoix.org",))
DELIVERY = MonitorSpec(
    2, ("délai de livraison", "livraison"), exclusions=("offre",), languages=("fr",)
)
PALACE = MonitorSpec(3, ("Élysée",), languages=("en",))
SHIPPING = MonitorSpec(4, ("late delivery", "café"), languages=("en", "fr"))
MATCHER = Matcher([BRAND, DELIVERY, PALACE, SHIPPING])

CASES = [
    # (text, language, expected monitor ids)
    ("Super campagne #PORTEVOIX !", "", [1]),
    ("Merci @portevoix pour l\u2019accueil", "fr", [1]),
    ("Le projet-orion avance bien", "fr", [1]),
    ("PROJET   ORION, enfin", "", [1]),
    ("ProjetOrion est lancé", "", [1]),
    ("Les projets Orion", "", [1]),  # a plural inside a phrase
    ("Orange et orionides", "", []),  # no match inside another word
    ("portevoixien", "", []),
    ("Encore des retards de LIVRAISONS", "fr", [2]),  # plural, capitals
    ("Un délai de livraison de trois semaines", "fr", [2]),
    ("Un delai de livraison de trois semaines", "fr", [2]),  # accents do not matter
    ("Retards de livraison", "en", []),  # the monitor is French only
    ("Retards de livraison", "", [2]),  # the source gave no language
    ("Une offre de livraison gratuite", "fr", []),  # an exclusion
    ("Visit portevoix.org today", "en", []),  # the brand's own site is excluded
    ("Portevoix and portevoix.org", "en", []),  # an exclusion wins over a match
    ("A reception at the ELYSEE palace", "en", [3]),
    ("Réception à l\u2019Élysée", "fr", []),  # English only
    ("Another late deliveries story", "en", [4]),  # English plural
    ("Un CAFE, deux cafés", "fr", [4]),
    ("Delivery was late", "en", []),  # a phrase is word after word
    ("Portevoix : délai de livraison dépassé", "fr", [1, 2]),
]


@pytest.mark.parametrize(("text", "language", "expected"), CASES)
def test_the_table_of_french_and_english_cases(text, language, expected):
    assert MATCHER.match(text, language) == expected


def test_text_and_terms_are_read_as_the_guardrails_read_words():
    assert text_key("L\u2019ŒUVRE d\u2019Été, O.R.I.O.N!") == " l oeuvre d ete orion "
    assert " projet orion " in term_forms("Projet  Orion")
    assert " projetorion " in term_forms("Projet Orion")
    assert " livraisons " in term_forms("Livraison")
    assert term_forms("!!!") == set()


def test_a_matcher_without_monitors_matches_nothing():
    assert Matcher([]).match("Portevoix") == []


def test_language_codes():
    values = ("fr-FR", "EN_us", "de", "", None, "français", "x1")
    assert [language_code(v) for v in values] == ["fr", "en", "de", "", "", "", ""]


def test_a_text_in_another_language_does_not_match_a_monitor_of_french_or_english():
    assert MATCHER.match("Lieferung: livraison", "de") == []
    assert MATCHER.match("Portevoix", "de") == [1]  # a monitor without languages


# Letters, digits, spaces, every joiner, accents precomposed and combining, invisible
# characters, ligatures, characters whose folded form is a joiner or mixes letters and signs
# (read the slow way), the stand-in for invisibles itself, emoji and punctuation.
ALPHABET = (
    "aAbzÉéeE019 \t\n-\u2010\u2011\u2012\u2013.\u00b7_*/\u2022"
    "\u0301\u0327\u200b\u00ad\u2060œŒæßﬁĳ\uff0d\uff0e\u2474\u249c\u00bd\x00#@'\u2019😀,;!?()"
)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_the_fast_reading_is_the_guardrails_reading(text):
    assert text_key(text) == slow_text_key(text)


@pytest.mark.parametrize(
    "text",
    [
        "O.R.I.O.N et P-O-R-T-E-V-O-I-X",
        "con-fi-den-tiel, l\u2019Œuvre du cœur",
        "a\u200b-b c-\u200bd e\u0301-f",
        "x" + "-x" * 60,
        "A\uff0dB \u249c ½ straße \ufb01nal",
        "",
        "   ",
    ],
)
def test_the_fast_reading_on_the_hard_cases(text):
    assert text_key(text) == slow_text_key(text)
