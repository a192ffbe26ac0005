"""One English text, one French text: Django merges the apps' catalogues into one (the first
app of INSTALLED_APPS wins), so a msgid translated two ways in two apps shows one app's
French on the other's pages ("To": "Au" for a date filter took over an email's "À"). Where
the meanings differ, the code gives a context (pgettext, `{% translate ... context ... %}`);
where they are the same, the catalogues say it the same way.

The clashes found when this check was written are listed in `catalogue_clashes.json`, a
baseline that may only shrink: a new clash fails, and so does an entry that no longer
clashes (take it out of the list)."""

from __future__ import annotations

import gettext
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASELINE = Path(__file__).with_name("catalogue_clashes.json")


def clashes() -> dict[str, set[str]]:
    """{msgid (a plural as "msgid[n]"; a context as "context\\x04msgid"): the apps}."""
    first: dict[str, tuple[str, str]] = {}
    found: dict[str, set[str]] = {}
    for mo in sorted(ROOT.glob("portevoix/*/locale/fr/LC_MESSAGES/django.mo")):
        app = mo.parts[-5]
        with mo.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        for key, text in catalogue.items():
            msgid = key if isinstance(key, str) else f"{key[0]}[{key[1]}]"
            if not msgid or msgid.startswith("["):  # the header
                continue
            if msgid in first and first[msgid][1] != text:
                found.setdefault(msgid, {first[msgid][0]}).add(app)
            first.setdefault(msgid, (app, text))
    return found


def test_no_new_text_is_translated_two_ways():
    baseline = set(json.loads(BASELINE.read_text(encoding="utf-8")))
    found = clashes()
    new = sorted(set(found) - baseline)
    assert not new, (
        "translated differently in two apps (give a context or say it the same way): "
        + ", ".join(f"{msgid!r} ({', '.join(sorted(found[msgid]))})" for msgid in new)
    )
    gone = sorted(baseline - set(found))
    assert not gone, "no longer clashing, take them out of catalogue_clashes.json: " + ", ".join(
        map(repr, gone)
    )
