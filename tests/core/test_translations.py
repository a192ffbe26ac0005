"""The French catalogues: every entry translated (none empty, none fuzzy), each .mo compiled
from its .po as it is now, every catalogue in step with the strings of its sources, and the
pages of the platform really rendered in French.

The .po files are read with a small parser of the standard library (no polib dependency)."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portevoix.accounts.roles import Role
from portevoix.publishing import services as publishing_services
from tests.factories import make_member

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "portevoix"
CATALOGUES = sorted(PACKAGE.glob("**/locale/fr/LC_MESSAGES/django.po"))
# Every directory of portevoix/ that holds Python code: makemessages runs in each of them.
SOURCE_DIRS = sorted(p.parent for p in PACKAGE.glob("*/__init__.py"))
IN_CI = bool(os.environ.get("CI"))


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(PACKAGE)).split("/", 1)[0] for p in paths]


# --------------------------------------------------------------------------- a .po parser


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(quoted: str) -> str:
    assert quoted.startswith('"') and quoted.endswith('"'), quoted
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), quoted[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, obsolete ones (#~) left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # the field that continuation lines extend

    def start(number: int) -> Entry:
        entry = Entry(line=number)
        entries.append(entry)
        return entry

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:
                current = None  # a comment after a msgstr: the next entry begins
            if line.startswith("#,"):
                current = current or start(number)
                current.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            target = None
            continue
        if line.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}: stray string"
            name, index = target
            text = _unquote(line)
            if name == "msgstr":
                current.msgstr[index] += text
            else:
                setattr(current, name, getattr(current, name) + text)
            continue
        match = _KEYWORD.match(line)
        assert match, f"{path}:{number}: cannot read {raw!r}"
        keyword, number_text, quoted = match.groups()
        begins = current is None or bool(current.msgstr)
        if keyword == "msgctxt" and current is not None and current.msgid:
            begins = True  # a context always opens its entry
        if keyword in ("msgctxt", "msgid") and begins:
            current = start(number)
        assert current is not None
        text = _unquote(quoted)
        if keyword.startswith("msgstr"):
            position = int(number_text) if number_text is not None else 0
            current.msgstr[position] = text
            target = ("msgstr", position)
        else:
            setattr(current, keyword, text)
            target = (keyword, 0)
    return entries


def _header(entries: list[Entry]) -> dict[str, str]:
    header = next(e for e in entries if e.is_header)
    pairs = (line.split(":", 1) for line in header.msgstr[0].splitlines() if ":" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def _describe(entry: Entry) -> str:
    context = f"[{entry.msgctxt}] " if entry.msgctxt else ""
    return f"line {entry.line}: {context}{entry.msgid!r}"


# --------------------------------------------------------------------------- the catalogues


def test_every_app_with_strings_has_a_catalogue() -> None:
    apps = set(_ids(CATALOGUES))
    expected = {"core", "accounts", "content", "governance", "sharing", "training"}
    assert expected | {"analytics", "publishing", "networks"} <= apps


def test_the_networks_catalogue_is_found_through_locale_paths() -> None:
    """portevoix.networks is not an installed app: its catalogue is in LOCALE_PATHS."""
    locale = PACKAGE / "networks" / "locale"
    assert locale in [Path(p) for p in django_settings.LOCALE_PATHS]
    with translation.override("fr"):
        assert translation.gettext("X did not return an access token.") == (
            "X n\u2019a pas renvoyé de jeton d\u2019accès."
        )
        assert translation.gettext("Mastodon: unreadable answer.") == (
            "Mastodon\u00a0: réponse illisible."
        )


@pytest.mark.parametrize("po", CATALOGUES, ids=_ids(CATALOGUES))
def test_the_header_says_french_with_two_plural_forms(po: Path) -> None:
    entries = parse_po(po)
    header_entry = next(e for e in entries if e.is_header)
    assert "fuzzy" not in header_entry.flags, "a fuzzy header is ignored by msgfmt"
    header = _header(entries)
    assert header.get("Language") == "fr"
    assert "charset=UTF-8" in header.get("Content-Type", "")
    assert header.get("Plural-Forms", "").replace(" ", "") == "nplurals=2;plural=(n>1);"


@pytest.mark.parametrize("po", CATALOGUES, ids=_ids(CATALOGUES))
def test_every_entry_is_translated_and_none_is_fuzzy(po: Path) -> None:
    entries = [e for e in parse_po(po) if not e.is_header]
    assert entries, f"{po} has no entry"
    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy, {_describe(entry)}")
        forms = 2 if entry.msgid_plural is not None else 1
        if sorted(entry.msgstr) != list(range(forms)):
            problems.append(f"msgstr forms {sorted(entry.msgstr)}, {_describe(entry)}")
        elif any(text == "" for text in entry.msgstr.values()):
            problems.append(f"untranslated, {_describe(entry)}")
    keys = [e.key for e in entries]
    problems += [f"duplicate {key!r}" for key in {k for k in keys if keys.count(k) > 1}]
    assert not problems, f"{po.relative_to(ROOT)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("po", CATALOGUES, ids=_ids(CATALOGUES))
def test_the_mo_is_compiled_from_the_po_as_it_is(po: Path) -> None:
    """The committed .mo holds every translation of the .po, as written there now (run
    `make messages` after editing a .po)."""
    mo = po.with_suffix(".mo")
    assert mo.is_file() and mo.stat().st_size > 0, f"{mo.relative_to(ROOT)} is missing"
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = []
    for entry in parse_po(po):
        if entry.is_header or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural is not None:
            # French: plural=(n > 1), so n=1 reads msgstr[0] and n=2 msgstr[1].
            if entry.msgctxt is not None:
                got = [
                    catalogue.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                    for n in (1, 2)
                ]
            else:
                got = [catalogue.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
            expected = [entry.msgstr.get(0), entry.msgstr.get(1)]
        elif entry.msgctxt is not None:
            got = [catalogue.pgettext(entry.msgctxt, entry.msgid)]
            expected = [entry.msgstr.get(0)]
        else:
            got = [catalogue.gettext(entry.msgid)]
            expected = [entry.msgstr.get(0)]
        if got != expected:
            stale.append(_describe(entry))
    assert not stale, f"{mo.relative_to(ROOT)} is older than its .po:\n" + "\n".join(stale)


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if IN_CI:
            pytest.fail(f"{tool} (gettext) is required in CI")
        pytest.skip(f"{tool} (gettext) is not installed")
    return path


@pytest.mark.parametrize("po", CATALOGUES, ids=_ids(CATALOGUES))
def test_msgfmt_check_accepts_the_catalogue(po: Path) -> None:
    """Placeholders (python-format, python-brace-format), plural forms and the header."""
    msgfmt = _need("msgfmt")
    result = subprocess.run(
        [msgfmt, "--check", "--output-file=/dev/null", str(po)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def _msgids(po: Path) -> set[tuple[str | None, str, str | None]]:
    if not po.is_file():
        return set()
    return {e.key for e in parse_po(po) if not e.is_header}


@pytest.mark.parametrize("source", SOURCE_DIRS, ids=[p.name for p in SOURCE_DIRS])
def test_the_catalogue_has_every_string_of_its_sources(
    source: Path, tmp_path: Path, settings, monkeypatch
) -> None:
    """makemessages, run on a copy of the directory as `make messages` would, finds no
    string that the committed catalogue lacks, and none that it keeps for nothing."""
    _need("xgettext")
    _need("msgmerge")
    copy = tmp_path / source.name
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (copy / "locale").mkdir(exist_ok=True)
    # Only the copy's own locale directory: nothing is written under the project.
    settings.LOCALE_PATHS = []
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["fr"], no_obsolete=True, verbosity=0)
    relative = Path("locale/fr/LC_MESSAGES/django.po")
    extracted = _msgids(copy / relative)
    committed = _msgids(source / relative)
    missing = sorted(map(repr, extracted - committed))
    unused = sorted(map(repr, committed - extracted))
    assert not missing and not unused, (
        f"portevoix/{source.name}: run makemessages -l fr --no-obsolete there, then translate."
        f"\nMissing: {missing}\nNo longer in the sources: {unused}"
    )


# --------------------------------------------------------------------------- pages in French


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """LocaleMiddleware leaves the language of the last request active in the thread: a
    French page must not turn the next test of this worker into French."""
    yield
    translation.deactivate()


@pytest.fixture
def community(org):
    return make_member(org, Role.COMMUNITY_MANAGER, email="community@acme.test")


def _french(client: Client, membership) -> Client:
    client.force_login(membership.user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


@pytest.mark.django_db
def test_connected_accounts_and_my_posts_in_french(client, ambassador) -> None:
    _french(client, ambassador)
    accounts = client.get(reverse("publishing:accounts"))
    assert accounts.status_code == 200
    html = accounts.content.decode()
    assert '<html lang="fr">' in html
    for text in (
        "<h1>Comptes connectés</h1>",
        "Connecter une Page Facebook",
        "Votre serveur Mastodon",
        "Mot de passe d\u2019application",
        "Délégation",
        "Mes publications",  # the navigation
        "LinkedIn ne communique pas les statistiques",
    ):
        assert text in html, text
    assert "Connected accounts" not in html and "Connect a Facebook Page" not in html

    posts = client.get(reverse("publishing:posts")).content.decode()
    assert "<h1>Mes publications</h1>" in posts
    assert "Programmées et publiées" in posts
    assert "Rien pour l\u2019instant\u00a0: publiez ou programmez" in posts


@pytest.mark.django_db
def test_crisis_pause_page_and_banner_in_french(client, community) -> None:
    publishing_services.pause_start(actor=community, reason="Exercice de crise")
    html = _french(client, community).get(reverse("publishing:pause")).content.decode()
    for text in (
        "<h1>Pause de crise</h1>",
        "Toutes les publications sont en pause",
        "Reprendre les publications",
        "Mettre les publications en pause",
        "Toute l\u2019organisation",
        "Pause des publications",  # the navigation
        "Toutes les publications programmées sont en pause.",  # the banner of base.html
        "Exercice de crise",
    ):
        assert text in html, text
    assert "Crisis pause" not in html and "All scheduled publishing is paused." not in html
