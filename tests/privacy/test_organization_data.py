"""The organization's data: its whole archive and its deletion (administrators only).

The archive holds every table the registry finds for the organization (core.org_data), the
organization's rows only, never a secret. The deletion leaves no row of the organization in
any table (read from the database itself), keeps every other organization's rows, deletes
the accounts of people who belonged to it alone, and leaves one trace without data.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from portevoix.accounts.models import ApiToken, Membership, Organization, User
from portevoix.accounts.roles import Role
from portevoix.core import org_data
from portevoix.governance import gates
from portevoix.governance.models import AuditEntry
from portevoix.privacy import organization
from portevoix.privacy.models import ExportState, OrganizationDeletion, OrganizationExport
from tests import factories

# Field names that look like a secret but are not one (idempotency keys, dates, codes that
# are public by design). Every other such name must be left out of the export by
# `org_data.is_secret`: a new secret column fails this list until someone decides.
NOT_SECRETS = {
    "key",  # idempotency keys of deliveries, points, posts
    "dedupe_key",
    "journal_key",
    "token_expires_at",
    "code",  # a tracked link's public short code, a rule's or badge's code
    "saml_key",  # the public part of an organization's SAML addresses (its entity id)
}
LOOKS_SECRET = re.compile(
    r"secret|token|passw|sealed|encrypt|hash|p256|cipher|salt|private"
    r"|(^|_)(auth|otp|key|code)(_|$)"
)


@pytest.fixture
def org_admin(org: Any) -> Membership:
    return factories.make_member(org, Role.ADMIN, email="boss@acme.test")


@pytest.fixture
def other_admin(other_org: Any) -> Membership:
    return factories.make_member(other_org, Role.ADMIN, email="boss@globex.test")


def _counts(organization_id: int) -> dict[str, int]:
    return {t.label: t.rows(organization_id).count() for t in org_data.org_tables()}


def test_every_model_reaches_an_organization_or_is_declared(db: Any) -> None:
    tables = org_data.org_tables()  # raises for a model that is neither
    labels = {t.label for t in tables}
    assert {"content.ContentItem", "sharing.Click", "accounts.Membership_teams"} <= labels
    assert len({t.name for t in tables}) == len(tables)
    ours = {m._meta.label for m in apps.get_models(include_auto_created=True) if org_data._ours(m)}
    declared = set(org_data.GLOBAL_MODELS) | set(org_data.USER_MODELS)
    assert ours == labels | declared | {org_data.ORGANIZATION}


def test_no_secret_column_is_exported(db: Any) -> None:
    for table in org_data.org_tables():
        exported = set(table.exported_fields())
        for field in table.model._meta.concrete_fields:
            if field.attname in exported and LOOKS_SECRET.search(field.name):
                assert field.name in NOT_SECRETS, f"{table.label}.{field.name}"
    assert "password" not in org_data.users_table().exported_fields()


@pytest.fixture
def ready_export(
    client: Any, people: Any, org_admin: Membership, private_root: Any,
    django_capture_on_commit_callbacks: Any,
) -> OrganizationExport:  # fmt: skip
    client.force_login(org_admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:organization_export_request"))
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:organization_data")
    export = OrganizationExport.objects.get(organization_id=org_admin.organization_id)
    assert export.state == ExportState.READY, export.state
    return export


def _zip(client: Any, export: OrganizationExport) -> zipfile.ZipFile:
    response = client.get(reverse("privacy:organization_export_download", args=[export.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_archive_holds_every_table_of_the_organization_and_nothing_else(
    client: Any, people: Any, org_admin: Membership, ready_export: OrganizationExport
) -> None:
    org_id = org_admin.organization_id
    expected = {t.name: t.rows(org_id).count() for t in org_data.org_tables()}
    expected[org_data.users_table().name] = User.objects.filter(
        memberships__organization_id=org_id
    ).count()
    archive = _zip(client, ready_export)  # (the download adds an audit entry)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["organization"]["id"] == org_id
    assert {name: table["rows"] for name, table in manifest["tables"].items()} == expected
    assert ready_export.tables == expected
    assert sum(expected.values()) > 50
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8")
    for text in ("Comment MINE", "Comment COLLEAGUE", "colleague@acme.test", "Idea MINE"):
        assert text in everything, text
    # Another organization's rows, even of the same person, are not in it.
    assert "ELSEWHERE" not in everything
    assert "boss@globex.test" not in everything
    # Secrets and their traces never are: token hashes, push endpoints, password hashes.
    for token_hash in ApiToken.objects.values_list("token_hash", flat=True):
        assert token_hash not in everything
    assert "pbkdf2_sha256$" not in everything and "argon2" not in everything
    # The CSV neutralises formulas; the JSON Lines keep the text as it is.
    shares = archive.read("csv/sharing_share.csv").decode("utf-8-sig")
    texts = [row["text"] for row in csv.DictReader(io.StringIO(shares))]
    assert '\'=HYPERLINK("http://evil.example","MINE")' in texts
    lines = archive.read("jsonl/sharing_share.jsonl").decode().splitlines()
    assert any(json.loads(line)["text"].startswith("=HYPERLINK") for line in lines)
    assert "README.txt" in archive.namelist()
    assert AuditEntry.objects.filter(
        organization_id=org_id, action="privacy.org_export_downloaded"
    ).exists()


def test_only_the_organizations_administrators(
    client: Any, people: Any, ready_export: OrganizationExport, other_admin: Membership
) -> None:
    url = reverse("privacy:organization_export_download", args=[ready_export.pk])
    # Another organization's administrator: the archive does not exist for them.
    client.force_login(other_admin.user)
    assert client.get(url).status_code == 404
    # A member of the organization without the right: refused everywhere.
    client.force_login(people.colleague.user)
    assert client.get(url).status_code == 403
    assert client.get(reverse("privacy:organization_data")).status_code == 403
    assert client.post(reverse("privacy:organization_export_request")).status_code == 403
    response = client.post(reverse("privacy:organization_delete"), {"confirm_name": "Acme"})
    assert response.status_code == 403
    assert Organization.objects.filter(name="Acme").exists()
    # Wrong methods; no login.
    assert client.get(reverse("privacy:organization_export_request")).status_code == 405
    assert client.get(reverse("privacy:organization_delete")).status_code == 405
    client.logout()
    assert client.get(url).status_code == 302


def test_the_page_in_both_languages(client: Any, org_admin: Membership) -> None:
    client.force_login(org_admin.user)
    english = client.get(reverse("privacy:organization_data")).content.decode()
    assert "Download everything" in english and "Delete the organization" in english
    french = client.get(
        reverse("privacy:organization_data"), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Tout télécharger" in french and "Supprimer l\u2019organisation" in french


def test_a_wrong_name_deletes_nothing(client: Any, people: Any, org_admin: Membership) -> None:
    client.force_login(org_admin.user)
    before = _counts(org_admin.organization_id)
    response = client.post(reverse("privacy:organization_delete"), {"confirm_name": "acme "})
    assert response.status_code == 400
    assert "This is not the organization" in response.content.decode()
    assert _counts(org_admin.organization_id) == before
    assert not OrganizationDeletion.objects.exists()
    assert Membership.objects.get(pk=org_admin.pk).is_active


def test_deleting_the_organization_leaves_nothing_of_it_and_everything_of_the_others(
    client: Any, people: Any, org_admin: Membership, ready_export: OrganizationExport,
    private_root: Any, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    org_id = org_admin.organization_id
    other_id = people.me_elsewhere.organization_id
    others_before = _counts(other_id)
    assert any((private_root / "organization" / str(org_id)).rglob("*.zip"))
    colleague_user = people.colleague.user_id
    client.force_login(org_admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:organization_delete"), {"confirm_name": " Acme"})
    assert response.status_code == 302

    remaining = {label: n for label, n in _counts(org_id).items() if n}
    assert remaining == {}, remaining
    assert not Organization.objects.filter(pk=org_id).exists()
    assert not AuditEntry.objects.filter(organization_id=org_id).exists()
    # Read from the database itself: no column anywhere still points to the organization.
    for model in apps.get_models(include_auto_created=True):
        if not org_data._ours(model):
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Organization:
                assert not model._default_manager.filter(**{field.attname: org_id}).exists()
    assert _counts(other_id) == others_before
    # The person who also belongs to the other organization keeps their account; the
    # colleague, who belonged to this one only, has none any more.
    assert User.objects.filter(pk=people.me.user_id).exists()
    assert not User.objects.filter(pk=colleague_user).exists()
    assert not (private_root / "organization" / str(org_id)).exists()
    trace = OrganizationDeletion.objects.get(former_organization_id=org_id)
    assert trace.done_at is not None
    assert trace.tables["sharing.Click"] == 6 and trace.tables["accounts.Organization"] == 1
    assert "Acme" not in json.dumps(trace.tables)


def test_access_ends_at_once_and_a_lost_task_is_finished_by_the_sweep(
    client: Any, people: Any, org_admin: Membership
) -> None:
    org_id = org_admin.organization_id
    client.force_login(org_admin.user)
    # The task is not run (its on-commit callback is dropped, as a lost task would be).
    response = client.post(reverse("privacy:organization_delete"), {"confirm_name": "Acme"})
    assert response.status_code == 302
    assert not Membership.objects.filter(organization_id=org_id, is_active=True).exists()
    assert client.get(reverse("privacy:organization_data")).status_code == 302
    assert Organization.objects.filter(pk=org_id).exists()
    assert organization.org_purge_due() == 1
    assert not Organization.objects.filter(pk=org_id).exists()
    assert organization.org_purge_due() == 0
    assert organization.org_purge(organization_id=org_id) == {}


def test_the_audit_log_allows_no_other_deletion(org: Any, other_org: Any, admin: Any) -> None:
    from django.db import DatabaseError, transaction

    gates.audit_record(
        organization=org, actor=admin, action="x.y", object_type="t", object_id=1,
        before=None, after=None,
    )  # fmt: skip
    with pytest.raises(DatabaseError), transaction.atomic():
        # Past the model's own guard, to the database's trigger.
        AuditEntry.objects.filter(organization=org)._raw_delete("default")
    # The purge of another organization unlocks that one only.
    with transaction.atomic():
        assert gates.audit_purge_organization(organization_id=other_org.pk) == 0
    assert AuditEntry.objects.filter(organization=org).count() == 1


@pytest.mark.slow
def test_the_demo_organization_is_deleted_completely(demo_module: Any) -> None:
    """Every table the demo fills, through the same purge as the worker's."""
    demo, _out = demo_module
    before = _counts(demo.pk)
    assert sum(1 for n in before.values() if n) > 60
    OrganizationDeletion.objects.create(
        former_organization_id=demo.pk, requested_at=demo.created_at
    )
    counts = organization.org_purge(organization_id=demo.pk)
    assert {label: n for label, n in _counts(demo.pk).items() if n} == {}
    assert not Organization.objects.filter(pk=demo.pk).exists()
    assert counts["sharing.Click"] == before["sharing.Click"]
