"""A disclosure is appended only when the text still fits every length limit of the network,
Bluesky's 3,000 UTF-8 bytes included (not only its 300 graphemes)."""

from __future__ import annotations

from portevoix.governance import gates


def test_bluesky_bytes_count_when_a_disclosure_is_appended():
    fits = gates._fits("bluesky")
    assert fits is not None
    heavy = "👩🏽‍💻" * 199  # 199 graphemes, 2,985 bytes
    assert fits(heavy)
    assert not fits(heavy + " #partenariat-pub")  # 216 graphemes but 3,002 bytes


def test_characters_still_count():
    fits = gates._fits("x")
    assert fits is not None
    assert fits("a" * 280)
    assert not fits("a" * 281)


def test_unknown_network_has_no_rule():
    assert gates._fits("myspace") is None
