"""The pages: "My data" for every member (their own archive only), the processing register
for administrators."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

from portevoix.governance.models import AuditEntry
from portevoix.privacy.models import DataExport, ExportState


@pytest.fixture
def archive(client: Any, people: Any, private_root: Any, django_capture_on_commit_callbacks: Any):
    client.force_login(people.me.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:archive_request"))
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:my_data")
    client.logout()
    export = DataExport.objects.get(membership=people.me)
    assert export.state == ExportState.READY
    return export


def test_login_is_required(client: Any, db: Any) -> None:
    for name in ("privacy:my_data", "privacy:register", "privacy:register_csv"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]
    assert client.post(reverse("privacy:archive_request")).status_code == 302


def test_the_page_summarises_my_data_only(client: Any, people: Any) -> None:
    client.force_login(people.me.user)
    response = client.get(reverse("privacy:my_data"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    for text in (
        "Prepare my archive",
        "Token MINE",
        "Course MINE",
        "Badge MINE",
        "2 clicks counted",
        "5 points in all",
        "1 device receives push notifications",
        "Answers to anonymous surveys are linked to nobody",
    ):
        assert text in html, text
    for absent in ("COLLEAGUE", "ELSEWHERE", "ANONYMOUS"):
        assert absent not in html


def test_the_page_in_french(client: Any, people: Any) -> None:
    client.force_login(people.me.user)
    html = client.get(reverse("privacy:my_data"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Mes données" in html and "Préparer mon archive" in html


def test_the_archive_is_offered_and_downloaded_by_its_owner_only(
    client: Any, people: Any, archive: DataExport, admin: Any, outsider: Any
) -> None:
    url = reverse("privacy:archive_download", args=[archive.pk])
    client.force_login(people.me.user)
    page = client.get(reverse("privacy:my_data")).content.decode()
    assert url in page and "Prepare my archive" not in page
    # Asking again shows the same one.
    client.post(reverse("privacy:archive_request"))
    assert DataExport.objects.filter(membership=people.me).count() == 1
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:2] == b"PK"
    downloaded = AuditEntry.objects.get(action="privacy.export_downloaded")
    assert downloaded.before is None and downloaded.after is None
    assert downloaded.object_id == str(archive.pk)
    # Anyone else: 404, an administrator of the same organization too.
    for other in (people.colleague, admin, outsider):
        client.force_login(other.user)
        assert client.get(url).status_code == 404
    # The same person acting in their other organization: 404 as well.
    client.force_login(people.me.user)
    session = client.session
    session["portevoix_org"] = people.me_elsewhere.organization_id
    session.save()
    assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(action="privacy.export_downloaded").count() == 1


def test_the_archive_is_never_under_the_media_root(archive: DataExport, settings: Any) -> None:
    from portevoix.privacy.services import private_storage

    path = private_storage().path(archive.file_name)
    assert not path.startswith(str(settings.MEDIA_ROOT))
    assert not path.startswith(str(settings.STATIC_ROOT))


def test_the_register_is_for_administrators(client: Any, admin: Any, ambassador: Any) -> None:
    client.force_login(ambassador.user)
    assert client.get(reverse("privacy:register")).status_code == 403
    assert client.get(reverse("privacy:register_csv")).status_code == 403
    client.force_login(admin.user)
    html = client.get(reverse("privacy:register")).content.decode()
    assert "Processing register" in html and "Legal basis" in html and "Retention" in html
    assert "never an IP address" in html
    assert reverse("privacy:register_csv") in html
    hub = client.get(reverse("accounts:settings")).content.decode()
    assert reverse("privacy:register") in hub


def test_the_register_as_csv_in_both_languages(client: Any, admin: Any) -> None:
    client.force_login(admin.user)
    response = client.get(reverse("privacy:register_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Category",
        "What is stored",
        "Purpose",
        "Legal basis",
        "Retention",
        "Who can see it",
    ]
    assert len(rows) > 10
    french = client.get(reverse("privacy:register_csv"), HTTP_ACCEPT_LANGUAGE="fr")
    head = french.content.decode("utf-8-sig").splitlines()[0]
    assert head.startswith("Catégorie,")


def test_the_page_reads_a_constant_number_of_queries(client: Any, people: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portevoix.accounts.roles import Role
    from tests import factories

    from .conftest import fill

    client.force_login(people.me.user)
    url = reverse("privacy:my_data")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    fill(people.me, "MORE", factories.make_member(people.me.organization, Role.CONTENT_MANAGER))
    client.get(url)  # the page frame's caches, emptied by the new rows, fill again
    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()
    assert "4 clicks counted" in html
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_page_shows_an_archive_being_prepared_then_a_failed_one(
    client: Any, people: Any, private_root: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portevoix.privacy import archive as archive_module
    from portevoix.privacy import services, tasks

    monkeypatch.setattr(tasks, "prepare_export", lambda export_id: None)
    client.force_login(people.me.user)
    client.post(reverse("privacy:archive_request"))
    html = client.get(reverse("privacy:my_data")).content.decode()
    assert "Your archive is being prepared" in html and "Prepare my archive" not in html
    export = DataExport.objects.get(membership=people.me)
    url = reverse("privacy:archive_download", args=[export.pk])
    assert client.get(url).status_code == 404  # not ready yet

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("disk full")

    monkeypatch.setattr(archive_module, "build_zip", broken)
    assert services.export_prepare(export_id=str(export.pk)) == ExportState.FAILED
    html = client.get(reverse("privacy:my_data")).content.decode()
    assert "could not be prepared" in html and "Prepare my archive" in html
    assert not list(private_root.rglob("*.zip"))


def test_the_download_needs_a_login(client: Any, archive: DataExport) -> None:
    response = client.get(reverse("privacy:archive_download", args=[archive.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
