"""The archive: prepared in the background, holding every category of the person's own
data in this organization and nothing of anyone else's; CSV cells neutralised; expiry."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest
from django.urls import reverse

from portevoix.governance.models import AuditEntry
from portevoix.privacy import services
from portevoix.privacy.models import DataExport, ExportState

from .conftest import NOW


@pytest.fixture
def oncommit(django_capture_on_commit_callbacks: Any) -> Any:
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _ready(membership: Any, oncommit: Any) -> DataExport:
    with oncommit():
        export = services.export_request(membership=membership)
    export.refresh_from_db()
    assert export.state == ExportState.READY  # HUEY_IMMEDIATE in the tests
    return export


def _zip(export: DataExport, private_root: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(private_root / export.file_name)


def test_the_archive_holds_every_category_of_mine_and_nothing_else(
    people, private_root, fixed_clock, oncommit
):
    export = _ready(people.me, oncommit)
    assert export.expires_at == NOW + dt.timedelta(days=7)
    archive = _zip(export, private_root)
    names = set(archive.namelist())
    tables = {
        "account",
        "ambassador_profile",
        "network_presences",
        "consents",
        "api_tokens",
        "shares",
        "tracked_links",
        "connected_accounts",
        "posts",
        "points",
        "badges",
        "reward_requests",
        "ideas",
        "idea_votes",
        "idea_comments",
        "survey_participations",
        "survey_answers",
        "certificates",
        "notification_settings",
        "notifications",
    }
    assert names == {"data.json", "README.txt"} | {f"{t}.csv" for t in tables}
    document = json.loads(archive.read("data.json"))
    data = document["data"]
    text = archive.read("data.json").decode()
    # Each category holds my rows.
    assert data["accounts"]["account"][0]["email"] == "ambassador@acme.test"
    assert data["accounts"]["ambassador_profile"][0]["opted_in"] is True
    assert data["accounts"]["network_presences"][0]["network"] == "linkedin"
    assert data["accounts"]["consents"][0]["kind"] == "opt_in"
    assert [t["name"] for t in data["accounts"]["api_tokens"]] == ["Token MINE"]
    assert data["sharing"]["shares"][0]["content"] == "Item MINE"
    assert data["sharing"]["tracked_links"][0]["clicks"] == 2  # counted clicks only
    assert data["publishing"]["posts"][0]["state"] == "published"
    assert data["recognition"]["points"][0]["points"] == 5
    assert data["recognition"]["badges"][0]["badge"] == "Badge MINE"
    assert data["ideas"]["ideas"][0]["title"] == "Idea MINE"
    assert data["ideas"]["idea_comments"][0]["text"] == "Comment MINE"
    assert len(data["surveys"]["survey_participations"]) == 2
    assert [a["text"] for a in data["surveys"]["survey_answers"]] == ["Named answer MINE"]
    assert data["training"]["certificates"][0]["course"] == "Course MINE"
    assert data["notifications"]["notification_settings"][0]["push_subscriptions"] == 1
    # Nobody else's, no other organization's, no anonymous answer, no secret.
    for absent in ("COLLEAGUE", "ELSEWHERE", "ANONYMOUS", "token_hash", "endpoint"):
        assert absent not in text
    for name in archive.namelist():
        body = archive.read(name).decode("utf-8-sig")
        assert "COLLEAGUE" not in body and "ELSEWHERE" not in body and "ANONYMOUS" not in body
    readme = archive.read("README.txt").decode()
    assert "data.json" in readme and "shares.csv" in readme and "survey_answers.csv" in readme


def test_the_csv_cells_are_neutralised(people, private_root, fixed_clock, oncommit):
    export = _ready(people.me, oncommit)
    body = _zip(export, private_root).read("shares.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["text"].startswith("'=HYPERLINK(")
    # The JSON keeps the text as it is (it is data, not a spreadsheet).
    data = json.loads(_zip(export, private_root).read("data.json"))
    assert data["data"]["sharing"]["shares"][0]["text"].startswith("=HYPERLINK(")


def test_asking_again_gives_the_same_archive_and_audits_once(
    people, private_root, fixed_clock, oncommit
):
    first = _ready(people.me, oncommit)
    again = services.export_request(membership=people.me)
    assert again.pk == first.pk
    assert DataExport.objects.filter(membership=people.me).count() == 1
    entries = AuditEntry.objects.filter(action="privacy.export_requested")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.before is None and entry.after is None
    assert entry.actor == people.me.user


def test_one_archive_in_preparation_at_a_time(
    people, private_root, fixed_clock, monkeypatch, oncommit
):
    from portevoix.privacy import tasks

    monkeypatch.setattr(tasks, "prepare_export", lambda export_id: None)
    with oncommit():
        first = services.export_request(membership=people.me)
        second = services.export_request(membership=people.me)
    assert first.pk == second.pk and second.state == ExportState.PENDING
    # The worker does it later, once.
    assert services.export_prepare(export_id=str(first.pk)) == ExportState.READY
    assert services.export_prepare(export_id=str(first.pk)) == ExportState.READY
    assert len(list(private_root.rglob("*.zip"))) == 1


def test_expiry_and_cleanup_with_a_fixed_clock(
    people, private_root, fixed_clock, settings, oncommit
):
    settings.PRIVACY_EXPORT_DAYS = 2
    export = _ready(people.me, oncommit)
    path = private_root / export.file_name
    assert path.exists() and export.expires_at == NOW + dt.timedelta(days=2)
    fixed_clock["now"] = NOW + dt.timedelta(days=2) - dt.timedelta(seconds=1)
    assert services.exports_cleanup() == 0
    services.export_download(membership=people.me, export_id=str(export.pk))
    fixed_clock["now"] = NOW + dt.timedelta(days=2)
    with oncommit():
        assert services.exports_cleanup() == 1
    export.refresh_from_db()
    assert export.state == ExportState.EXPIRED and export.file_name == ""
    assert not path.exists()
    assert services.exports_cleanup() == 0
    # Asking again makes a new one.
    fresh = services.export_request(membership=people.me)
    assert fresh.pk != export.pk


def test_an_expired_archive_not_yet_cleaned_is_not_offered(
    client, people, private_root, fixed_clock, oncommit
):
    export = _ready(people.me, oncommit)
    fixed_clock["now"] = NOW + dt.timedelta(days=8)
    client.force_login(people.me.user)
    url = reverse("privacy:archive_download", args=[export.pk])
    assert client.get(url).status_code == 404
    page = client.get(reverse("privacy:my_data")).content.decode()
    assert url not in page
    assert "Prepare my archive" in page


def test_the_periodic_schedule_runs_the_cleanup(people, private_root, fixed_clock, oncommit):
    from config import schedule

    export = _ready(people.me, oncommit)
    fixed_clock["now"] = NOW + dt.timedelta(days=7, minutes=1)
    assert schedule.privacy_cleanup_exports.call_local() == 1
    export.refresh_from_db()
    assert export.state == ExportState.EXPIRED
