"""The matching engine on a table of tricky French and English cases: case, accents,
plurals and feminine forms, words split by punctuation, and false positives. Pure
functions, no database."""


# Typographic apostrophes in the French texts are meant.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest

from portevoix.governance import matching
from portevoix.governance.matching import Rule, check

# (term, text, expected matched text(s) in the original text; [] when nothing must match)
CASES: list[tuple[str, str, list[str]]] = [
    # Case and accents
    ("Projet Orion", "Le PROJET ORION avance.", ["PROJET ORION"]),
    ("Projet Orion", "le projet orion avance", ["projet orion"]),
    ("prévisionnel", "le budget PREVISIONNEL", ["PREVISIONNEL"]),
    ("previsionnel", "le chiffre prévisionnel", ["prévisionnel"]),
    ("énergie", "Énergie verte", ["Énergie"]),
    ("café", "un cafe\u0301 noir", ["cafe\u0301"]),  # decomposed accent in the text
    ("cœur", "au coeur du réseau", ["coeur"]),  # ligature
    ("Straße", "die STRASSE", ["STRASSE"]),  # ß casefolds to ss
    # Plurals and feminine forms, both ways
    ("projet", "nos projets", ["projets"]),
    ("projets", "ce projet", ["projet"]),
    ("cheval", "des chevaux", ["chevaux"]),
    ("travail", "les travaux", ["travaux"]),
    ("bijou", "des bijoux", ["bijoux"]),
    ("confidentiel", "une note confidentielle", ["confidentielle"]),
    ("confidentiel", "des notes CONFIDENTIELLES", ["CONFIDENTIELLES"]),
    ("pas cher", "un produit pas chère", ["pas chère"]),
    ("company", "partner companies", ["companies"]),
    ("box", "three boxes", ["boxes"]),
    (
        "chiffre d'affaires prévisionnel",
        "nos chiffres d’affaires prévisionnels",
        ["chiffres d’affaires prévisionnels"],
    ),
    # Words split by punctuation, extra spaces, possessives
    ("Projet Orion", "#projet-orion", ["projet-orion"]),
    ("Projet Orion", "Projet  Orion", ["Projet  Orion"]),
    ("Projet Orion", "PROJET ORION's launch", ["PROJET ORION"]),
    ("Projet Orion", "le projet\nOrion", ["projet\nOrion"]),
    ("Projet Orion", "Projet. Orion!", ["Projet. Orion"]),
    ("Projet Orion", "#ProjetOrion", ["ProjetOrion"]),
    ("low cost", "une offre low-cost", ["low-cost"]),
    ("low cost", "du lowcost", ["lowcost"]),
    ("Orion", "le code O.R.I.O.N", ["O.R.I.O.N"]),
    ("Orion", "o-r-i-o-n", ["o-r-i-o-n"]),
    ("confidentiel", "c'est con-fi-den-tiel", ["con-fi-den-tiel"]),
    ("Orion", "Ori\u200bon", ["Ori\u200bon"]),  # zero-width space
    ("Orion", "l'Orion du ciel", ["Orion"]),  # elision
    ("VoltaVerde", "vu chez @VoltaVerde_FR", ["VoltaVerde"]),  # their account names them
    ("VoltaVerde", "vu chez @VoltaVerde !", ["VoltaVerde"]),
    ("VoltaVerde", "🚀🚀 VoltaVerde", ["VoltaVerde"]),  # emoji before: offsets stay right
    # False positives: never inside another word
    ("ora", "une orange", []),
    ("cat", "this category", []),
    ("cat", "catch it", []),
    ("art", "a party at the start", []),
    ("secret", "the secretary", []),
    ("Orion", "the Orionids meteor shower", []),
    ("confidentiel", "la confidentialité", []),
    ("CA", "dans ce cas", []),  # two letters: never inflected
    ("plan", "a plane", []),  # the final -e needs five letters
    ("pas cher", "il passe chercher", []),
    ("low cost", "below cost", []),
    ("Projet Orion", "projet d'Orion", []),
    ("chiffre d'affaires prévisionnel", "le chiffre d'affaires", []),
]


def rule(term: str, action: str = "block") -> Rule:
    return Rule(id=1, kind=matching.BLOCKED_TERM, action=action, terms=(term,))


@pytest.mark.parametrize(("term", "text", "expected"), CASES)
def test_table(term, text, expected):
    outcome = check(text, [rule(term)])
    found = [text[h.start : h.end] for h in outcome.hits]
    assert found == expected
    for hit in outcome.hits:
        assert hit.found == text[hit.start : hit.end]
        assert hit.term == term


def test_the_table_is_big_enough():
    assert len(CASES) >= 30
    assert sum(1 for _t, _x, e in CASES if not e) >= 10  # false positives


def test_several_terms_and_rules_sorted_by_offset():
    rules = [
        Rule(1, matching.BLOCKED_TERM, "block", ("Projet Orion",), reason="secret"),
        Rule(2, matching.AVOID_WORD, "warn", ("pas cher",)),
        Rule(3, matching.COMPETITOR, "warn", ("VoltaVerde",)),
    ]
    text = "Pas cher, le Projet Orion bat VoltaVerde."
    outcome = check(text, rules)
    assert [(h.rule_id, h.action, h.found) for h in outcome.hits] == [
        (2, "warn", "Pas cher"),
        (1, "block", "Projet Orion"),
        (3, "warn", "VoltaVerde"),
    ]
    assert outcome.hits[1].reason == "secret"


def test_rules_limited_to_networks():
    only_x = Rule(1, matching.AVOID_WORD, "warn", ("thread",), networks=("x",))
    assert check("a thread", [only_x], network="x").hits
    assert not check("a thread", [only_x], network="linkedin").hits
    assert not check("a thread", [only_x], network="").hits  # comments: no network


class TestLinks:
    RULE = Rule(1, matching.LINK_DOMAIN, "warn", allowed_domains=("lumen-energie.example.com",))

    def test_allowed_domain_and_subdomains(self):
        text = "https://lumen-energie.example.com/a et https://blog.lumen-energie.example.com/b"
        assert check(text, [self.RULE]).hits == ()

    def test_other_domains_are_flagged_with_the_url_offsets(self):
        text = "Voir www.concurrent.fr/page et https://evil-lumen-energie.example.com."
        hits = check(text, [self.RULE]).hits
        assert [(h.term, h.found) for h in hits] == [
            ("www.concurrent.fr", "www.concurrent.fr/page"),
            ("evil-lumen-energie.example.com", "https://evil-lumen-energie.example.com"),
        ]

    def test_extra_allowed_domains(self):
        hits = check(
            "https://go.example.org/l/abc", [self.RULE], extra_allowed_domains=["go.example.org"]
        )
        assert hits.hits == ()

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("https://www.Example.com/x", "www.example.com"),
            ("Example.COM", "example.com"),
            ("énergie.fr", "xn--nergie-9ua.fr"),
        ],
    )
    def test_clean_domain(self, value, expected):
        assert matching.clean_domain(value) == expected


class TestDisclosure:
    RULE = Rule(
        1, matching.DISCLOSURE, "warn", disclosures={"linkedin": "#collaborateur", "*": "#employee"}
    )

    def test_added_when_missing(self):
        outcome = check("Nous recrutons !", [self.RULE], network="linkedin")
        assert outcome.text == "Nous recrutons ! #collaborateur"
        assert outcome.disclosure_added == "#collaborateur"
        assert outcome.hits == ()

    def test_fallback_for_other_networks(self):
        assert check("We are hiring", [self.RULE], network="x").text == "We are hiring #employee"

    @pytest.mark.parametrize(
        "text", ["Merci #Collaborateur", "#COLLABORATEUR : nous recrutons", "fier #collaborateur."]
    )
    def test_present_already_case_insensitive(self, text):
        outcome = check(text, [self.RULE], network="linkedin")
        assert outcome.text == text
        assert outcome.disclosure_added == ""

    def test_a_longer_word_does_not_count(self):
        outcome = check("les #collaborateurs", [self.RULE], network="linkedin")
        assert outcome.text.endswith(" #collaborateur")

    def test_no_room_is_a_match_at_the_end(self):
        outcome = check("x" * 10, [self.RULE], network="x", fits=lambda c: len(c) <= 12)
        assert outcome.text == "x" * 10
        [hit] = outcome.hits
        assert (hit.kind, hit.start, hit.end, hit.code) == (
            "disclosure",
            10,
            10,
            "disclosure_no_room",
        )

    def test_no_disclosure_without_network_or_text(self):
        assert check("un commentaire", [self.RULE], network="").text == "un commentaire"
        assert check("   ", [self.RULE], network="linkedin").text == "   "


def test_segments_merge_and_block_wins():
    hits = [
        matching.Hit(1, "avoid_word", "warn", "a", 0, 5, "", ""),
        matching.Hit(2, "blocked_term", "block", "b", 3, 8, "", ""),
    ]
    assert matching.segments("0123456789", hits) == [
        ("012", "warn"),
        ("34567", "block"),
        ("89", ""),
    ]


@pytest.mark.parametrize(
    ("base", "form"),
    [
        ("cheval", "chevaux"),
        ("company", "companies"),
        ("leaf", "leaves"),
        ("heureux", "heureuse"),
        ("actif", "actives"),
        ("citoyen", "citoyennes"),
        ("secret", "secrète"),
    ],
)
def test_inflections_and_bases_are_inverse(base, form):
    assert matching.same_word(base, matching.normalize(form))
    assert base in matching.bases(matching.normalize(form))
