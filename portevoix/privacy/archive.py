"""The person's own data, gathered from every app through its selectors, and the archive
made of it: one JSON file with everything (nested by app), one CSV per table (through
`core.spreadsheet`, which neutralises formulas), and a README.txt saying what each file is.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from portevoix.accounts import selectors_my_data as account_data
from portevoix.core.spreadsheet import Sheet, csv_bytes, zip_bytes
from portevoix.ideas import selectors as idea_selectors
from portevoix.notifications import selectors as notification_selectors
from portevoix.publishing.selectors import my_data as publishing_data
from portevoix.recognition.selectors import my_data as recognition_data
from portevoix.rewards import selectors as reward_selectors
from portevoix.sharing import selectors_my_data as sharing_data
from portevoix.surveys.selectors import my_data as survey_data
from portevoix.training.selectors import my_data as training_data

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from portevoix.accounts.models import Membership

Tables = dict[str, list[dict[str, Any]]]

# Each app's reader of one member's rows, in the archive's order.
SOURCES: list[tuple[str, Callable[[Membership], Tables]]] = [
    ("accounts", account_data.my_data),
    ("sharing", sharing_data.my_data),
    ("publishing", publishing_data.my_data),
    ("recognition", recognition_data.my_data),
    ("rewards", reward_selectors.my_data),
    ("ideas", idea_selectors.my_data),
    ("surveys", survey_data.my_data),
    ("training", training_data.my_data),
    ("notifications", notification_selectors.my_data),
]

# What each table is, in plain words (the page, the README).
TABLES: dict[str, Promise] = {
    "account": _("Your account: email, name, language, job title, teams, roles"),
    "ambassador_profile": _("Your ambassador choices: opt-in, interests, how others see you"),
    "network_presences": _("The networks you declared, with your handle and audience"),
    "consents": _("Each time you joined or left the programme"),
    "api_tokens": _("Your API tokens, by name (the tokens themselves are never kept)"),
    "shares": _("What you shared, where and when"),
    "tracked_links": _("Your tracked links and the clicks counted on each"),
    "connected_accounts": _("The social accounts you connected (never their keys)"),
    "posts": _("The posts scheduled or published on your accounts, and their status"),
    "points": _("Every point you earned or lost"),
    "badges": _("The badges you earned"),
    "reward_requests": _("The rewards you asked for"),
    "ideas": _("The ideas you posted in the idea box"),
    "idea_votes": _("The ideas you voted for"),
    "idea_comments": _("Your comments in the idea box"),
    "survey_participations": _("The surveys you answered (the day only)"),
    "survey_answers": _(
        "Your answers to surveys that were not anonymous (anonymous answers are linked to "
        "nobody, so they cannot be part of this archive)"
    ),
    "certificates": _("Your course certificates"),
    "notification_settings": _(
        "Your notification and email settings, and how many devices receive push notifications"
    ),
    "notifications": _("The notifications Portevoix sent you in the app"),
}


def collect(membership: Membership) -> dict[str, Tables]:
    """Everything the apps hold about the member, in this organization: {app: {table: rows}}."""
    return {app: reader(membership) for app, reader in SOURCES}


def plain(value: Any) -> Any:
    """A value as JSON and CSV take it."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def _headers(rows: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def _readme(membership: Membership, now: dt.datetime, names: list[str]) -> bytes:
    lines = [
        str(_("The data Portevoix holds about you in %(org)s, prepared on %(when)s."))
        % {"org": membership.organization.name, "when": now.isoformat(timespec="minutes")},
        "",
        str(_("data.json: everything below in one file, grouped by part of Portevoix.")),
        str(_("README.txt: this file.")),
    ]
    lines += [f"{name}.csv: {TABLES.get(name, name)}" for name in names]
    lines += [
        "",
        str(_("CSV files are UTF-8, comma-separated, one row per line, with a header row.")),
        str(_("The file of a table that holds nothing about you is empty.")),
        str(_("Dates and times are ISO 8601, in UTC unless a time zone is written.")),
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def build_zip(membership: Membership, now: dt.datetime) -> bytes:
    """The archive's bytes (call it in the member's language: labels follow it)."""
    nested: dict[str, Tables] = {
        app: {
            table: [{k: plain(v) for k, v in row.items()} for row in rows]
            for table, rows in tables.items()
        }
        for app, tables in collect(membership).items()
    }
    document = {
        "format": "portevoix-my-data/1",
        "prepared_at": now.isoformat(),
        "organization": membership.organization.name,
        "data": nested,
    }
    files: list[tuple[str, bytes]] = [
        ("data.json", json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"))
    ]
    names: list[str] = []
    for tables in nested.values():
        for table, rows in tables.items():
            headers = _headers(rows)
            sheet = Sheet(table, headers, ([row.get(h) for h in headers] for row in rows))
            files.append((f"{table}.csv", csv_bytes(sheet)))
            names.append(table)
    files.append(("README.txt", _readme(membership, now, names)))
    return zip_bytes(files)
