"""The destination of a tracked link: the item's link with UTM parameters merged in.
Pure functions: no ORM, no settings.

Rules (tested in tests/sharing/test_utm.py):
- Only http and https destinations; anything else (javascript:, data:, relative, no host)
  gives None, so the redirect can never be turned into an open or script redirect.
- The destination's own query string is kept byte for byte, in its order; our parameters
  are appended after it. A `utm_*` key already present in the destination is kept as it
  is: ours only fill the missing ones (the organization's own tagging wins).
- The fragment is kept. International host names become punycode and non-ASCII characters
  of the path, query or fragment are percent-encoded (UTF-8), so the result is a valid
  ASCII `Location` header.
- Parameters whose value is empty (a template that renders to nothing) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from django.utils.encoding import iri_to_uri

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
# The first-party click id that the redirect adds to the destination (and sets as a cookie
# on the redirect host); the customer's site sends it back with a conversion.
CLICK_ID_PARAM = "pv_click"
PLACEHOLDERS = ("network", "campaign", "ambassador", "item")
MAX_URL_LENGTH = 8000


def _ascii_netloc(netloc: str, hostname: str, port: int | None) -> str | None:
    userinfo, _at, _hostport = netloc.rpartition("@")
    try:
        host = hostname.encode("idna").decode("ascii") if not hostname.isascii() else hostname
    except UnicodeError:
        return None
    if not host:
        return None
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    result = host if port is None else f"{host}:{port}"
    if userinfo:
        result = f"{iri_to_uri(userinfo)}@{result}"
    return result


def safe_destination(url: str) -> str | None:
    """`url` as an absolute ASCII http(s) URL, or None when it is not one."""
    if not url or len(url) > MAX_URL_LENGTH:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        hostname = parts.hostname or ""
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not hostname:
        return None
    netloc = _ascii_netloc(parts.netloc, hostname, port)
    if netloc is None:
        return None
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            iri_to_uri(parts.path) or "/",
            iri_to_uri(parts.query),
            iri_to_uri(parts.fragment),
        )
    )


def merge_params(url: str, params: Iterable[tuple[str, str]]) -> str | None:
    """`url` (made safe, see `safe_destination`) with `params` appended to its query; a key
    already in the query is not added again; empty values are left out."""
    safe = safe_destination(url)
    if safe is None:
        return None
    parts = urlsplit(safe)
    present = {key for key, _value in parse_qsl(parts.query, keep_blank_values=True)}
    extra = []
    for key, value in params:
        if value and key not in present:
            extra.append((key, value))
            present.add(key)
    if not extra:
        return safe
    added = urlencode(extra, quote_via=quote, safe="")
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def render_template(template: str, values: dict[str, str]) -> str:
    """Replace `{network}`, `{campaign}`, `{ambassador}` and `{item}` in a UTM template.
    Unknown placeholders are refused when the template is saved; here they stay as typed."""
    result = template
    for name in PLACEHOLDERS:
        result = result.replace("{" + name + "}", values.get(name, ""))
    return result.strip()


def template_errors(template: str) -> list[str]:
    """Placeholders of `template` that we do not know (an empty list when it is valid)."""
    rest = template
    for name in PLACEHOLDERS:
        rest = rest.replace("{" + name + "}", "")
    if "{" not in rest and "}" not in rest:
        return []
    return re.findall(r"\{[^{}]*\}?", rest) or ["}"]
