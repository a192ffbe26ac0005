"""Bulk import from CSV: the dry run reports every row's errors (row, column, message) with
the editor's rules; nothing is imported until the file is clean; then all rows at once."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portevoix.content.models import Campaign, ContentItem, State, Topic, Transition
from portevoix.content.services import csv_import
from portevoix.core.errors import DomainError, PermissionDenied
from tests.content._helpers import login

pytestmark = pytest.mark.django_db

HEADER = "title,body,link,language,type,topics,campaign,publish_at,expire_at,copy_linkedin,copy_x\n"


@pytest.fixture
def taxonomy(org):
    Topic.objects.create(organization=org, name="Recrutement", slug="recrutement")
    Topic.objects.create(organization=org, name="Tech", slug="tech")
    Campaign.objects.create(organization=org, name="Salon 2030", slug="salon-2030")


def _upload(text: str | bytes, name: str = "items.csv") -> SimpleUploadedFile:
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_the_sample_is_clean(manager, taxonomy):
    report = csv_import.csv_check(membership=manager, text=csv_import.sample_csv())
    assert report.errors == [] and len(report.items) == 2 and report.clean
    sample = csv_import.sample_csv(topics=["Recrutement", "Tech"], campaign="Salon 2030")
    report = csv_import.csv_check(membership=manager, text=sample)
    assert report.clean and len(report.items[0].topic_ids) == 2 and report.items[0].campaign_id


def test_dry_run_reports_every_rows_errors(manager, taxonomy):
    text = HEADER + (
        "Bon,,,fr,event,Tech,,,,Un texte,\n"
        ",,,xx,nope,Inconnu,Pas là,demain,,,\n"
        "Lien,,ftp://x,en,,,,2030-01-02 10:00,2030-01-01 10:00,," + "x" * 300 + "\n"
    )
    report = csv_import.csv_check(membership=manager, text=text)
    got = {(e.row, e.column) for e in report.errors}
    assert (3, "title") in got and (3, "language") in got and (3, "type") in got
    assert (3, "topics") in got and (3, "campaign") in got and (3, "publish_at") in got
    assert (4, "link") in got and (4, "expire_at") in got and (4, "copy_x") in got
    assert not any(e.row == 2 for e in report.errors)
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert messages[(3, "topics")] == "Unknown topic “Inconnu”."
    assert "280" in messages[(4, "copy_x")]  # the network's own limit message
    assert not report.clean
    with pytest.raises(DomainError):
        csv_import.csv_import(membership=manager, text=text)
    assert ContentItem.objects.count() == 0  # not even the good row


def test_clean_import_creates_every_row_in_one_go(
    manager, taxonomy, django_capture_on_commit_callbacks
):
    text = HEADER + (
        'Offre,"Rejoignez-nous, **vite**",https://example.org/j,fr,job_offer,'
        "Recrutement|tech,Salon 2030,2030-01-15 09:00,2030-02-15 18:00,On recrute !,\n"
        "\n"  # a blank line is skipped
        "Event,,,en,Event,,,,,,See you there\n"
    )
    items = csv_import.csv_import(membership=manager, text=text)
    assert [i.title for i in items] == ["Offre", "Event"]
    offre = ContentItem.objects.get(title="Offre")
    assert offre.state == State.DRAFT and offre.content_type == "job_offer"
    assert offre.body == "Rejoignez-nous, **vite**"
    assert {t.slug for t in offre.topics.all()} == {"recrutement", "tech"}
    assert offre.campaign is not None and offre.campaign.name == "Salon 2030"
    assert offre.publish_at is not None and offre.publish_at.isoformat().startswith("2030-01-15T")
    assert [(c.network, c.text) for c in offre.copies.all()] == [("linkedin", "On recrute !")]
    assert ContentItem.objects.get(title="Event").content_type == "event"
    assert Transition.objects.filter(action="create").count() == 2


def test_semicolons_and_a_bom(manager):
    text = "\ufefftitle;language;copy_linkedin\nPoint-virgule;fr;Bonjour, le monde\n"
    report = csv_import.csv_check(membership=manager, text=csv_import.decode_upload(text.encode()))
    assert report.clean and report.items[0].copies[0].text == "Bonjour, le monde"


def test_file_errors(manager):
    with pytest.raises(DomainError, match="not UTF-8"):
        csv_import.decode_upload("titre;langue\nÉté;fr\n".encode("latin-1"))
    with pytest.raises(DomainError, match="too big"):
        csv_import.decode_upload(b"x" * (csv_import.MAX_BYTES + 1))
    report = csv_import.csv_check(membership=manager, text="titel,sprache\nA,de\n")
    got = {(e.row, e.column) for e in report.errors}
    assert {(1, "titel"), (1, "title"), (1, "language")} <= got
    assert (
        csv_import.csv_check(membership=manager, text="").errors[0].message == "The file is empty."
    )
    assert not csv_import.csv_check(membership=manager, text="title,language\n").clean


def test_too_many_rows(manager):
    rows = "".join(f"T{n},fr\n" for n in range(csv_import.MAX_ROWS + 1))
    report = csv_import.csv_check(membership=manager, text="title,language\n" + rows)
    assert not report.clean
    assert report.errors[-1].message == f"At most {csv_import.MAX_ROWS} rows per file."


def test_only_who_may_create(approver):
    with pytest.raises(PermissionDenied):
        csv_import.csv_check(membership=approver, text=csv_import.sample_csv())


# --- The page


def test_upload_dry_run_then_import(client, manager, taxonomy):
    login(client, manager)
    url = reverse("content:library_import")
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": _upload(csv_import.sample_csv())})
    html = response.content.decode()
    assert response.status_code == 200 and "2 items are ready to import" in html
    assert ContentItem.objects.count() == 0  # a dry run creates nothing
    # The checked text comes back with the confirmation and is checked again.
    text = csv_import.sample_csv()
    response = client.post(url, {"confirm": "1", "text": text})
    assert response.status_code == 302 and response.url.endswith("?state=draft")
    assert ContentItem.objects.count() == 2


def test_upload_with_errors_lists_them_in_english_and_french(client, manager):
    login(client, manager)
    url = reverse("content:library_import")
    bad = "title,language\n,fr\nOK,de\n"
    response = client.post(url, {"file": _upload(bad)})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported: 2 errors to fix in the file." in html
    assert "<td>2</td><td>title</td><td>A title is required.</td>" in html
    assert "<td>3</td><td>language</td><td>Choose French or English.</td>" in html
    response = client.post(url, {"file": _upload(bad)}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Rien n\u2019a été importé" in response.content.decode()
    # A forged confirmation with errors imports nothing either.
    response = client.post(url, {"confirm": "1", "text": bad})
    assert response.status_code == 400 and ContentItem.objects.count() == 0


def test_upload_too_big_or_not_utf8(client, manager):
    login(client, manager)
    url = reverse("content:library_import")
    response = client.post(url, {"file": _upload(b"a" * (csv_import.MAX_BYTES + 10))})
    assert response.status_code == 400 and "The file is too big" in response.content.decode()
    response = client.post(url, {"file": _upload("title,language\nÉté,fr\n".encode("cp1252"))})
    assert response.status_code == 400 and "CSV UTF-8" in response.content.decode()


def test_sample_download_and_access(client, manager, approver, taxonomy):
    login(client, manager)
    response = client.get(reverse("content:library_import_sample"))
    assert response["Content-Type"].startswith("text/csv")
    sample = response.content.decode()
    assert sample.startswith("title,body,link,language")
    # With the organization's own topics and campaign: the sample is clean as it is.
    assert "Recrutement|Tech" in sample and "Salon 2030" in sample
    assert csv_import.csv_check(membership=manager, text=sample).clean
    login(client, approver)
    assert client.get(reverse("content:library_import")).status_code == 403
    assert client.post(reverse("content:library_import"), {"confirm": "1"}).status_code == 403
