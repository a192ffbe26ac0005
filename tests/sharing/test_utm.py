"""The destination of a tracked link: the item's link with UTM parameters merged in."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from portevoix.sharing import utm

UTM = [
    ("utm_source", "linkedin"),
    ("utm_medium", "employee_advocacy"),
    ("utm_campaign", "launch"),
    ("utm_content", "a1b2c3d4e5"),
]
OURS = "utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=launch&utm_content=a1b2c3d4e5"

MERGES = [
    # (destination, expected)
    ("https://example.org/jobs/42", f"https://example.org/jobs/42?{OURS}"),
    ("https://example.org", f"https://example.org/?{OURS}"),
    ("https://example.org/a?ref=news&x=1", f"https://example.org/a?ref=news&x=1&{OURS}"),
    ("https://example.org/a#apply", f"https://example.org/a?{OURS}#apply"),
    ("https://example.org/a?x=1#section-2", f"https://example.org/a?x=1&{OURS}#section-2"),
    # Existing encodings are kept byte for byte.
    (
        "https://example.org/a?q=caf%C3%A9+cr%C3%A8me",
        f"https://example.org/a?q=caf%C3%A9+cr%C3%A8me&{OURS}",
    ),
    ("https://example.org/a%20b?x=%26", f"https://example.org/a%20b?x=%26&{OURS}"),
    # Non-ASCII path, query and fragment are percent-encoded (UTF-8).
    ("https://example.org/été?q=é#à", f"https://example.org/%C3%A9t%C3%A9?q=%C3%A9&{OURS}#%C3%A0"),
    # The organization's own utm_* keys win; ours fill the missing ones.
    (
        "https://example.org/a?utm_source=newsletter&utm_campaign=spring",
        "https://example.org/a?utm_source=newsletter&utm_campaign=spring"
        "&utm_medium=employee_advocacy&utm_content=a1b2c3d4e5",
    ),
    (
        "https://example.org/a?utm_medium=&x=1",
        "https://example.org/a?utm_medium=&x=1&utm_source=linkedin&utm_campaign=launch"
        "&utm_content=a1b2c3d4e5",
    ),
    # International host names become punycode; the port is kept.
    ("https://café.example/menu", f"https://xn--caf-dma.example/menu?{OURS}"),
    ("http://例え.テスト:8080/", f"http://xn--r8jz45g.xn--zckzah:8080/?{OURS}"),
    ("HTTPS://Example.ORG/Path", f"https://example.org/Path?{OURS}"),
]


@pytest.mark.parametrize(("destination", "expected"), MERGES)
def test_merge(destination, expected):
    assert utm.merge_params(destination, UTM) == expected


def test_result_is_ascii_and_parses_back():
    url = utm.merge_params("https://café.example/été?q=1&q=2#frag", UTM)
    assert url is not None and url.isascii()
    pairs = parse_qsl(urlsplit(url).query)
    assert pairs[:2] == [("q", "1"), ("q", "2")]
    assert dict(pairs[2:]) == dict(UTM)
    assert urlsplit(url).fragment == "frag"


def test_values_are_encoded():
    url = utm.merge_params("https://example.org/", [("utm_campaign", "été & co #1")])
    assert url == "https://example.org/?utm_campaign=%C3%A9t%C3%A9%20%26%20co%20%231"


def test_empty_values_are_left_out():
    url = utm.merge_params("https://example.org/", [("utm_source", "x"), ("utm_campaign", "")])
    assert url == "https://example.org/?utm_source=x"


def test_no_params_keeps_the_url():
    assert utm.merge_params("https://example.org/a?b=c#d", []) == "https://example.org/a?b=c#d"


@pytest.mark.parametrize(
    "destination",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/file",
        "//evil.example/path",
        "/relative/path",
        "https:///no-host",
        "https://example.org/\r\nSet-Cookie: x=1",
        "https://example.org:99999/",
        "",
        "https://" + "a" * 9000 + ".example/",
    ],
)
def test_only_http_and_https_destinations(destination):
    assert utm.merge_params(destination, UTM) is None
    assert utm.safe_destination(destination) is None


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{network}", "linkedin"),
        ("employee_advocacy", "employee_advocacy"),
        ("{campaign}", "launch"),
        ("pv-{network}-{item}", "pv-linkedin-7"),
        ("{ambassador}", "a1b2c3d4e5"),
        ("", ""),
    ],
)
def test_render_template(template, expected):
    values = {"network": "linkedin", "campaign": "launch", "ambassador": "a1b2c3d4e5", "item": "7"}
    assert utm.render_template(template, values) == expected


@pytest.mark.parametrize(
    ("template", "errors"),
    [
        ("{network}-{campaign}", []),
        ("plain", []),
        ("{user}", ["{user}"]),
        ("{network", ["{network"]),
        ("x}", ["}"]),
    ],
)
def test_template_errors(template, errors):
    assert utm.template_errors(template) == errors
