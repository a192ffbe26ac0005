"""The charter: versions, publishing, acknowledgements, and the gate before sharing."""


# Typographic apostrophes in the French texts are meant.
# ruff: noqa: RUF001

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
from django.urls import reverse

from portevoix.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from portevoix.governance import gates, selectors, services
from portevoix.governance.models import CharterAcknowledgement, CharterStatus, CharterVersion
from tests import factories
from tests.governance.conftest import publish_charter

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


# --- Versions


class TestVersions:
    def test_draft_then_publish(self, admin):
        draft = services.charter_draft_create(actor=admin, body_fr="# Charte", body_en="")
        assert (draft.number, draft.status) == (1, CharterStatus.DRAFT)
        assert selectors.current_charter(admin.organization) is None
        published = services.charter_publish(actor=admin, version=draft, summary_of_changes="")
        assert published.status == CharterStatus.PUBLISHED
        assert published.published_by == admin.user
        assert published.published_at is not None
        assert selectors.current_charter(admin.organization) == published

    def test_next_draft_starts_from_the_current_text(self, admin, charter):
        draft = services.charter_draft_create(actor=admin)
        assert draft.number == 2
        assert (draft.body_fr, draft.body_en) == (charter.body_fr, charter.body_en)

    def test_one_draft_at_a_time(self, admin):
        services.charter_draft_create(actor=admin, body_fr="a")
        with pytest.raises(Conflict):
            services.charter_draft_create(actor=admin, body_fr="b")

    def test_second_version_needs_a_summary(self, admin, charter):
        draft = services.charter_draft_create(actor=admin)
        with pytest.raises(DomainError) as exc:
            services.charter_publish(actor=admin, version=draft, summary_of_changes="  ")
        assert "summary_of_changes" in exc.value.field_errors
        services.charter_publish(actor=admin, version=draft, summary_of_changes="New: crisis")
        current = selectors.current_charter(admin.organization)
        assert current is not None and current.number == 2

    def test_empty_charter_cannot_be_published(self, admin):
        draft = services.charter_draft_create(actor=admin, body_fr=" ", body_en="")
        with pytest.raises(DomainError) as exc:
            services.charter_publish(actor=admin, version=draft, summary_of_changes="")
        assert "body_fr" in exc.value.field_errors

    def test_a_published_version_never_changes(self, admin, charter):
        with pytest.raises(Conflict):
            services.charter_draft_update(actor=admin, version=charter, body_fr="x", body_en="")
        with pytest.raises(Conflict):
            services.charter_draft_delete(actor=admin, version=charter)
        with pytest.raises(Conflict):
            services.charter_publish(actor=admin, version=charter, summary_of_changes="x")

    def test_only_admins_manage(self, community, member, admin):
        for person in (community, member):
            with pytest.raises(PermissionDenied):
                services.charter_draft_create(actor=person, body_fr="x")
        draft = services.charter_draft_create(actor=admin, body_fr="x")
        with pytest.raises(PermissionDenied):
            services.charter_publish(actor=community, version=draft, summary_of_changes="")

    def test_falls_back_to_the_other_language(self, admin):
        version = publish_charter(admin, body_fr="Seulement en français", body_en="")
        assert version.body_in("en") == ("Seulement en français", "fr")
        assert version.body_in("fr") == ("Seulement en français", "fr")


# --- Acknowledgements


class TestAcknowledge:
    def test_acknowledge_the_current_version_once(self, ambassador, charter):
        first = services.charter_acknowledge(membership=ambassador)
        again = services.charter_acknowledge(membership=ambassador, version=charter)
        assert first.pk == again.pk
        assert CharterAcknowledgement.objects.filter(membership=ambassador).count() == 1

    def test_no_charter_yet(self, ambassador):
        with pytest.raises(NotFound):
            services.charter_acknowledge(membership=ambassador)

    def test_an_outdated_version_is_refused(self, admin, ambassador, charter):
        publish_charter(admin, body_fr="v2", summary="v2")
        with pytest.raises(Conflict):
            services.charter_acknowledge(membership=ambassador, version=charter)


# --- The gate


class TestSharingBlockers:
    def test_no_charter_published_no_blocker(self, ambassador):
        assert gates.sharing_blockers(ambassador) == []

    def test_no_acknowledgement_blocks_sharing_and_personalizing(self, ambassador, charter):
        for personalize in (False, True):
            [blocker] = gates.sharing_blockers(ambassador, personalize=personalize)
            assert blocker.code == "charter"
            assert blocker.url == reverse("governance:charter")
            assert str(charter.number) in blocker.message

    def test_acknowledged_no_blocker(self, ambassador, charter):
        services.charter_acknowledge(membership=ambassador)
        assert gates.sharing_blockers(ambassador) == []

    def test_a_new_version_blocks_again(self, admin, ambassador, charter):
        services.charter_acknowledge(membership=ambassador)
        publish_charter(admin, body_fr="v2", summary="Nouveau : crise")
        [blocker] = gates.sharing_blockers(ambassador)
        assert blocker.code == "charter"
        services.charter_acknowledge(membership=ambassador)
        assert gates.sharing_blockers(ambassador) == []

    def test_another_organizations_charter_does_not_count(self, ambassador, outsider):
        publish_charter(outsider)
        assert gates.sharing_blockers(ambassador) == []
        [blocker] = gates.sharing_blockers(outsider)
        assert blocker.code == "charter"

    def test_missing_courses_are_blockers_with_their_url(self, ambassador, monkeypatch):
        calls = []

        def missing(*, membership, purpose):
            calls.append((membership, purpose))
            return [
                SimpleNamespace(pk=7, title="Bien partager", get_absolute_url=lambda: "/c/7/"),
                SimpleNamespace(pk=8, title="Confidentialité"),
            ]

        monkeypatch.setattr("portevoix.training.selectors.missing_required_courses", missing)
        blockers = gates.sharing_blockers(ambassador, personalize=True)
        assert calls == [(ambassador, "personalize")]
        assert [(b.code, b.url) for b in blockers] == [
            ("course", "/c/7/"),
            ("course", blockers[1].url),
        ]
        assert "Bien partager" in blockers[0].message
        assert blockers[1].url.startswith("/")
        gates.sharing_blockers(ambassador)
        assert calls[-1] == (ambassador, "share")


# --- Pages


class TestCharterPage:
    def test_asks_to_accept_then_records_it(self, client, ambassador, charter):
        client.force_login(ambassador.user)
        response = client.get(reverse("governance:charter"), {"next": "/governance/check/"})
        assert response.status_code == 200
        page = _text(response)
        assert "Sharing is <strong>voluntary</strong>" in page
        assert "I have read the charter and I accept it" in page
        response = client.post(
            reverse("governance:charter_accept"),
            {"version": charter.pk, "next": "/governance/check/"},
        )
        assert response.status_code == 302
        assert response.url == "/governance/check/"
        assert selectors.has_acknowledged(ambassador, charter)
        page = _text(client.get(reverse("governance:charter")))
        assert "You accepted this version" in page
        assert "I have read the charter and I accept it" not in page

    def test_an_outside_next_is_ignored(self, client, ambassador, charter):
        client.force_login(ambassador.user)
        response = client.post(
            reverse("governance:charter_accept"),
            {"version": charter.pk, "next": "https://evil.example.net/"},
        )
        assert response.url == reverse("governance:charter")

    def test_shows_what_changed_since_the_last_accepted_version(self, client, admin, ambassador):
        publish_charter(admin, body_fr="v1", body_en="v1")
        services.charter_acknowledge(membership=ambassador)
        publish_charter(admin, body_fr="v2", body_en="v2", summary="Added: the crisis section")
        publish_charter(admin, body_fr="v3", body_en="v3", summary="Added: #employee")
        client.force_login(ambassador.user)
        page = _text(client.get(reverse("governance:charter")))
        assert "The charter changed since you accepted version 1" in page
        assert "Added: the crisis section" in page
        assert "Added: #employee" in page

    def test_language_and_fallback(self, client, admin, ambassador):
        publish_charter(admin, body_fr="Texte **français**", body_en="")
        client.force_login(ambassador.user)
        page = _text(client.get(reverse("governance:charter"), HTTP_ACCEPT_LANGUAGE="en"))
        assert "Texte <strong>français</strong>" in page
        assert "not available in your language" in page

    def test_french_page(self, client, ambassador, charter):
        client.force_login(ambassador.user)
        page = _text(client.get(reverse("governance:charter"), HTTP_ACCEPT_LANGUAGE="fr"))
        assert "Le partage est <strong>volontaire</strong>" in page
        assert "J’ai lu la charte et je l’accepte" in page

    def test_no_charter_yet(self, client, member):
        client.force_login(member.user)
        response = client.get(reverse("governance:charter"))
        assert "has not published" in _text(response)

    def test_accepting_a_draft_or_another_orgs_version_is_404(
        self, client, admin, ambassador, outsider, charter
    ):
        draft = services.charter_draft_create(actor=admin)
        theirs = publish_charter(outsider)
        client.force_login(ambassador.user)
        for version in (draft, theirs):
            response = client.post(reverse("governance:charter_accept"), {"version": version.pk})
            assert response.status_code == 404


class TestCharterAdminPages:
    def test_write_preview_publish(self, client, admin):
        client.force_login(admin.user)
        response = client.post(
            reverse("governance:charter_new"),
            {"body_fr": "## Règles\n\n- **Volontaire**", "body_en": ""},
        )
        version = CharterVersion.objects.get(organization=admin.organization)
        assert response.url == reverse("governance:charter_edit", args=[version.pk])
        page = _text(client.get(response.url))
        assert "<strong>Volontaire</strong>" in page  # the preview
        response = client.post(
            reverse("governance:charter_edit", args=[version.pk]),
            {"body_fr": "## Règles\n\n- Volontaire\n- Confidentiel", "body_en": "## Rules"},
        )
        assert response.status_code == 302
        response = client.post(
            reverse("governance:charter_publish", args=[version.pk]), {"summary_of_changes": ""}
        )
        assert response.url == reverse("governance:charter_manage")
        version.refresh_from_db()
        assert version.status == CharterStatus.PUBLISHED
        assert version.body_en == "## Rules"
        page = _text(client.get(reverse("governance:charter_manage")))
        assert "Version 1" in page

    def test_publish_without_summary_shows_the_error(self, client, admin, charter):
        draft = services.charter_draft_create(actor=admin)
        client.force_login(admin.user)
        response = client.post(
            reverse("governance:charter_publish", args=[draft.pk]), {"summary_of_changes": ""}
        )
        assert response.status_code == 400
        assert "Say what changed since version 1" in _text(response)

    def test_delete_draft(self, client, admin):
        draft = services.charter_draft_create(actor=admin, body_fr="x")
        client.force_login(admin.user)
        response = client.post(reverse("governance:charter_delete", args=[draft.pk]))
        assert response.status_code == 302
        assert not CharterVersion.objects.filter(pk=draft.pk).exists()

    def test_published_version_is_read_only(self, client, admin, charter):
        client.force_login(admin.user)
        response = client.get(reverse("governance:charter_edit", args=[charter.pk]))
        assert response.status_code == 200
        assert "<textarea" not in _text(response)
        client.post(reverse("governance:charter_edit", args=[charter.pk]), {"body_fr": "hack"})
        charter.refresh_from_db()
        assert charter.body_fr != "hack"


class TestAcknowledgementList:
    def test_list_and_csv(self, client, admin, community, ambassador, charter):
        other = factories.make_member(admin.organization, email="zoe@acme.test", ambassador=True)
        services.charter_acknowledge(membership=ambassador)
        services.charter_acknowledge(membership=other)
        client.force_login(community.user)
        page = _text(client.get(reverse("governance:acknowledgements")))
        assert "ambassador@acme.test" in page and "zoe@acme.test" in page
        response = client.get(reverse("governance:acknowledgements_csv"))
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0] == ["Name", "Email", "Version", "Accepted at"]
        assert sorted(r[1] for r in rows[1:]) == ["ambassador@acme.test", "zoe@acme.test"]
        assert {r[2] for r in rows[1:]} == {"1"}

    def test_filter_by_version(self, client, admin, ambassador, charter):
        services.charter_acknowledge(membership=ambassador)
        v2 = publish_charter(admin, body_fr="v2", summary="v2")
        services.charter_acknowledge(membership=ambassador)
        client.force_login(admin.user)
        response = client.get(reverse("governance:acknowledgements_csv"), {"version": v2.pk})
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert [r[2] for r in list(csv.reader(io.StringIO(body)))[1:]] == ["2"]

    def test_csv_cells_are_not_formulas(self, client, admin, charter):
        evil = factories.make_member(admin.organization, email="evil@acme.test")
        evil.user.full_name = '=HYPERLINK("http://x")'
        evil.user.save(update_fields=["full_name"])
        services.charter_acknowledge(membership=evil)
        client.force_login(admin.user)
        response = client.get(reverse("governance:acknowledgements_csv"))
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "'=HYPERLINK" in body
