"""Share and compose URLs of each network: exact shapes, and encodings that round-trip."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from portevoix.sharing import intents

SHORT = "https://go.example.org/l/Ab3xYz9"
ITEM = "https://example.org/jobs/42?ref=a&x=1#apply"


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


# --- Exact shapes


def test_linkedin_takes_the_link_only():
    url = intents.intent_url("linkedin", text="Bonjour " + SHORT, url=SHORT)
    assert url == (
        "https://www.linkedin.com/sharing/share-offsite/?url=https%3A%2F%2Fgo.example.org%2Fl%2FAb3xYz9"
    )


def test_facebook_takes_the_link_only():
    url = intents.intent_url("facebook", text="Bonjour " + SHORT, url=SHORT)
    assert (
        url
        == "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fgo.example.org%2Fl%2FAb3xYz9"
    )


def test_x_has_text_and_url_and_the_text_does_not_repeat_the_link():
    url = intents.intent_url("x", text=f"On recrute ! {SHORT}", url=SHORT)
    assert url == (
        "https://x.com/intent/post?text=On%20recrute%20%21"
        "&url=https%3A%2F%2Fgo.example.org%2Fl%2FAb3xYz9"
    )


def test_x_with_the_link_in_the_middle_keeps_the_words():
    url = intents.intent_url("x", text=f"Voir {SHORT} pour postuler", url=SHORT)
    assert params(url) == {"text": ["Voir pour postuler"], "url": [SHORT]}


def test_x_with_only_a_link_has_no_empty_text():
    assert intents.intent_url("x", text=SHORT, url=SHORT) == (
        "https://x.com/intent/post?url=https%3A%2F%2Fgo.example.org%2Fl%2FAb3xYz9"
    )


def test_threads_has_the_text_with_the_link():
    url = intents.intent_url("threads", text=f"Hello {SHORT}", url=SHORT)
    assert url == (
        "https://www.threads.net/intent/post?text=Hello%20https%3A%2F%2Fgo.example.org%2Fl%2FAb3xYz9"
    )


def test_bluesky_has_the_text_with_the_link():
    url = intents.intent_url("bluesky", text=f"Hello {SHORT}", url=SHORT)
    assert url == (
        "https://bsky.app/intent/compose?text=Hello%20https%3A%2F%2Fgo.example.org%2Fl%2FAb3xYz9"
    )


def test_mastodon_opens_the_ambassadors_own_instance():
    url = intents.intent_url("mastodon", text=f"Hello {SHORT}", url=SHORT, instance="piaille.fr")
    assert url == "https://piaille.fr/share?text=Hello%20https%3A%2F%2Fgo.example.org%2Fl%2FAb3xYz9"


def test_mastodon_without_a_valid_instance_is_refused():
    with pytest.raises(ValueError, match="instance"):
        intents.intent_url("mastodon", text="Hello", url=SHORT, instance=None)
    with pytest.raises(ValueError):
        intents.intent_url("mastodon", text="Hello", url=SHORT, instance="evil.example/path?")


def test_unknown_network_is_refused():
    with pytest.raises(ValueError, match="unknown network"):
        intents.intent_url("myspace", text="x", url=SHORT)


# --- Encodings: every text comes back exactly


TEXTS = [
    "Nous recrutons des ingénieurs à Lyon — rejoignez-nous !",
    "我们正在招聘工程师",
    "نحن نوظف مهندسين",
    "Мы нанимаем инженеров",
    "🚀 Lancement 🎉 👩🏽‍💻 🇫🇷",
    "R&D + ventes = #croissance ? 100% oui; a=b&c=d",
    "Ligne 1\nLigne 2\r\n\tTabulation",
    "Guillemets \"doubles\" et 'simples' <b>pas de HTML</b> %20 déjà encodé",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("network", ["threads", "bluesky", "mastodon"])
def test_text_round_trips(network, text):
    full = f"{text} {SHORT}"
    url = intents.intent_url(network, text=full, url=SHORT, instance="mastodon.social")
    assert url.isascii()
    assert " " not in url and "\n" not in url and "#" not in url
    assert params(url) == {"text": [full]}


@pytest.mark.parametrize("text", TEXTS)
def test_x_text_round_trips(text):
    full = f"{text} {SHORT}"
    url = intents.intent_url("x", text=full, url=SHORT)
    assert url.isascii() and "#" not in url and "+" not in url
    got = params(url)
    assert got["url"] == [SHORT]
    assert got["text"] == [intents.x_text(full, SHORT)]


def test_x_text_keeps_non_latin_text_and_newlines():
    assert intents.x_text(f"Ligne 1\nLigne 2 🚀 {SHORT}", SHORT) == "Ligne 1\nLigne 2 🚀"


def test_url_with_query_and_fragment_is_fully_encoded():
    url = intents.intent_url("linkedin", text="", url=ITEM)
    assert params(url) == {"url": [ITEM]}
    assert "%23apply" in url and "%26x%3D1" in url


def test_plus_is_encoded_not_taken_for_a_space():
    url = intents.intent_url("bluesky", text="1+1=2", url=SHORT)
    assert "1%2B1%3D2" in url
    assert params(url) == {"text": ["1+1=2"]}


# --- The text of the post: the tracked link replaces the item's link


def test_compose_replaces_the_items_link_by_the_short_link():
    copy = f"Nous recrutons ! {ITEM}"
    assert (
        intents.compose_text(copy, item_link=ITEM, short_url=SHORT) == f"Nous recrutons ! {SHORT}"
    )


def test_compose_replaces_every_occurrence_and_keeps_punctuation():
    copy = f"({ITEM}). Encore : {ITEM}!"
    result = intents.compose_text(copy, item_link=ITEM, short_url=SHORT)
    assert result == f"({SHORT}). Encore : {SHORT}!"


def test_compose_leaves_a_longer_url_that_starts_with_the_link_alone():
    copy = "Voir https://example.org/jobs/421 et https://example.org/jobs/42"
    result = intents.compose_text(copy, item_link="https://example.org/jobs/42", short_url=SHORT)
    assert result == f"Voir https://example.org/jobs/421 et {SHORT}"


def test_compose_appends_the_short_link_when_the_copy_has_none():
    assert intents.compose_text("On recrute", item_link=ITEM, short_url=SHORT) == (
        f"On recrute\n\n{SHORT}"
    )
    assert intents.compose_text("", item_link="", short_url=SHORT) == SHORT


def test_compose_keeps_a_text_that_already_has_the_short_link():
    text = f"Mon texte {SHORT} à moi"
    assert intents.compose_text(text, item_link=ITEM, short_url=SHORT) == text


def test_compose_normalizes_line_endings():
    assert intents.compose_text("a\r\nb\rc", item_link="", short_url=SHORT) == f"a\nb\nc\n\n{SHORT}"


def test_posted_text_on_x_is_the_text_then_the_link():
    full = f"Voir {SHORT} pour postuler"
    assert intents.posted_text("x", full, SHORT) == f"Voir pour postuler {SHORT}"
    assert intents.posted_text("bluesky", full, SHORT) == full


# --- Mastodon instances


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mastodon.social", "mastodon.social"),
        ("  Piaille.FR ", "piaille.fr"),
        ("mastodon.social.", "mastodon.social"),
        ("social.sub-domain.example", "social.sub-domain.example"),
        ("café.example", "xn--caf-dma.example"),
        ("https://mastodon.social", None),
        ("mastodon.social/", None),
        ("mastodon.social:443", None),
        ("user@mastodon.social", None),
        ("mastodon.social?x=1", None),
        ("localhost", None),
        ("127.0.0.1", None),
        ("-bad.example", None),
        ("bad-.example", None),
        ("a..example", None),
        ("", None),
        (None, None),
        ("evil.example/share?text=x#", None),
        ("a" * 64 + ".example", None),
    ],
)
def test_instance_is_a_bare_host_name(value, expected):
    assert intents.normalize_instance(value) == expected
