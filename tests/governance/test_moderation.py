"""The moderation flow: cases from warnings and reports, approve / reject / remove, the
email to the author (once, in their language), and the pages."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from portevoix.content.models import State
from portevoix.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from portevoix.governance import gates, services
from portevoix.governance.models import CaseSource, CaseStatus, ModerationCase
from portevoix.governance.tasks import send_moderation_decision_email
from tests import factories

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def flag(org, author, text="Une offre pas chère", object_id=1, source="sharing.share"):
    gates.moderation_flag(
        organization=org,
        author=author,
        text=text,
        reason="“pas cher”: not our voice",
        source=source,
        object_id=object_id,
    )
    return ModerationCase.objects.filter(organization=org).order_by("-pk").first()


@pytest.fixture
def live_item(manager, approver):
    return factories.make_live_item(manager, approver)


class TestCases:
    def test_flag_creates_one_open_case_per_object(self, org, ambassador):
        case = flag(org, ambassador)
        assert (case.source, case.status, case.author) == (
            CaseSource.WARNING,
            CaseStatus.OPEN,
            ambassador,
        )
        again = flag(org, ambassador.user, text="Une offre pas chère, vraiment")  # a User works too
        assert again.pk == case.pk
        assert again.text == "Une offre pas chère, vraiment"
        assert ModerationCase.objects.count() == 1

    def test_suggestions_are_their_own_source(self, org, ambassador):
        case = flag(org, ambassador, source="ideas.suggestion", object_id=3)
        assert case.source == CaseSource.SUGGESTION

    def test_report_a_live_item(self, ambassador, live_item):
        case = services.moderation_report(
            membership=ambassador, item_id=live_item.pk, reason="Nom d'un client visible"
        )
        assert (case.source, case.object_type, case.object_id) == (
            CaseSource.REPORT,
            "content.item",
            str(live_item.pk),
        )
        assert case.reported_by == ambassador
        assert case.author is not None and case.author.user == live_item.author
        assert live_item.title in case.text
        same = services.moderation_report(membership=ambassador, item_id=live_item.pk, reason="x")
        assert same.pk == case.pk

    def test_report_needs_a_reason_and_a_visible_item(self, ambassador, member, manager, outsider):
        draft = factories.make_item(manager)
        with pytest.raises(DomainError):
            services.moderation_report(membership=ambassador, item_id=draft.pk, reason=" ")
        with pytest.raises(NotFound):  # a draft is not in the feed
            services.moderation_report(membership=ambassador, item_id=draft.pk, reason="x")
        with pytest.raises(NotFound):  # a plain member sees no content
            services.moderation_report(membership=member, item_id=draft.pk, reason="x")
        with pytest.raises(NotFound):  # another organization's item
            services.moderation_report(membership=outsider, item_id=draft.pk, reason="x")


class TestDecisions:
    def test_approve(self, org, community, ambassador):
        case = flag(org, ambassador)
        services.moderation_decide(actor=community, case=case, decision="approve")
        case.refresh_from_db()
        assert case.status == CaseStatus.APPROVED
        assert case.decided_by == community.user
        assert case.decided_at is not None
        assert mail.outbox == []

    def test_reject_emails_the_reason_in_the_authors_language(
        self, org, community, ambassador, django_capture_on_commit_callbacks
    ):
        ambassador.user.language = "fr"
        ambassador.user.save(update_fields=["language"])
        case = flag(org, ambassador)
        with django_capture_on_commit_callbacks(execute=True):
            services.moderation_decide(
                actor=community, case=case, decision="reject", reason="Pas notre ton."
            )
        case.refresh_from_db()
        assert case.status == CaseStatus.REJECTED
        assert case.notified_at is not None
        [email] = mail.outbox
        assert email.to == ["ambassador@acme.test"]
        assert "Pas notre ton." in email.body
        assert "> Une offre pas chère" in email.body
        assert "modérateur" in email.body  # French
        # A retry of the task sends nothing more.
        send_moderation_decision_email.call_local(case.pk)
        assert len(mail.outbox) == 1

    def test_english_author(self, org, community, ambassador, django_capture_on_commit_callbacks):
        ambassador.user.language = "en"
        ambassador.user.save(update_fields=["language"])
        case = flag(org, ambassador)
        with django_capture_on_commit_callbacks(execute=True):
            services.moderation_decide(actor=community, case=case, decision="reject", reason="No.")
        assert "did not accept a text of yours" in mail.outbox[0].body

    def test_reject_and_remove_need_a_reason(self, org, community, ambassador):
        case = flag(org, ambassador)
        for decision in ("reject", "remove"):
            with pytest.raises(DomainError) as exc:
                services.moderation_decide(actor=community, case=case, decision=decision)
            assert "reason" in exc.value.field_errors
        with pytest.raises(DomainError):
            services.moderation_decide(actor=community, case=case, decision="ban", reason="x")

    def test_decided_once(self, org, community, ambassador):
        case = flag(org, ambassador)
        services.moderation_decide(actor=community, case=case, decision="approve")
        with pytest.raises(Conflict):
            services.moderation_decide(actor=community, case=case, decision="reject", reason="x")

    def test_only_community_managers(self, org, admin, ambassador, manager):
        case = flag(org, ambassador)
        for person in (admin, manager, ambassador):
            with pytest.raises(PermissionDenied):
                services.moderation_decide(actor=person, case=case, decision="approve")

    def test_remove_a_reported_item_archives_it(
        self, community, ambassador, live_item, django_capture_on_commit_callbacks
    ):
        case = services.moderation_report(
            membership=ambassador, item_id=live_item.pk, reason="Confidentiel"
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.moderation_decide(
                actor=community, case=case, decision="remove", reason="Données client visibles"
            )
        live_item.refresh_from_db()
        assert live_item.state == State.ARCHIVED
        case.refresh_from_db()
        assert case.status == CaseStatus.REMOVED
        assert "archived" in case.removal_note
        [email] = mail.outbox
        assert email.to == [live_item.author.email]
        assert "Données client visibles" in email.body

    def test_remove_a_share_calls_the_sharing_hook(self, org, community, ambassador, monkeypatch):
        calls = []

        def share_remove(*, share_id, actor):
            calls.append((share_id, actor))

        # governance reaches sharing's remover through settings.MODERATION_REMOVERS
        monkeypatch.setattr("portevoix.sharing.services.shares.share_remove", share_remove)
        case = flag(org, ambassador, object_id=42)
        services.moderation_decide(
            actor=community, case=case, decision="remove", reason="Hors charte"
        )
        assert calls == [(42, community)]
        case.refresh_from_db()
        assert case.status == CaseStatus.REMOVED

    def test_remove_without_a_sharing_hook_still_marks_removed(
        self, org, community, ambassador, settings
    ):
        removers = settings.MODERATION_REMOVERS
        settings.MODERATION_REMOVERS = {"content.item": removers["content.item"]}
        case = flag(org, ambassador, object_id=43)
        services.moderation_decide(actor=community, case=case, decision="remove", reason="x")
        case.refresh_from_db()
        assert case.status == CaseStatus.REMOVED
        assert "by hand" in case.removal_note


class TestPages:
    def test_queue_lists_open_cases_by_default(self, client, org, community, ambassador):
        open_case = flag(org, ambassador, text="Texte ouvert", object_id=1)
        closed = flag(org, ambassador, text="Texte fermé", object_id=2)
        services.moderation_decide(actor=community, case=closed, decision="approve")
        client.force_login(community.user)
        page = _text(client.get(reverse("governance:queue")))
        assert "Texte ouvert" in page and "Texte fermé" not in page
        page = _text(client.get(reverse("governance:queue"), {"status": ""}))
        assert "Texte ouvert" in page and "Texte fermé" in page
        assert reverse("governance:case", args=[open_case.pk]) in page

    def test_queue_query_count_is_constant(self, client, org, community, ambassador):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        flag(org, ambassador, object_id=1)
        client.force_login(community.user)
        client.get(reverse("governance:queue"))
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("governance:queue"))
        for n in range(2, 12):
            other = factories.make_member(org, ambassador=True)
            flag(org, other, object_id=n)
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("governance:queue"))
        assert len(many) == len(few)

    def test_decide_from_the_case_page(self, client, org, community, ambassador):
        case = flag(org, ambassador)
        client.force_login(community.user)
        page = _text(client.get(reverse("governance:case", args=[case.pk])))
        assert "Une offre pas chère" in page
        response = client.post(
            reverse("governance:case_decide", args=[case.pk, "reject"]), {"reject-reason": ""}
        )
        assert response.status_code == 400
        assert "A reason is required." in _text(response)
        response = client.post(
            reverse("governance:case_decide", args=[case.pk, "reject"]),
            {"reject-reason": "Pas notre ton"},
        )
        assert response.url == reverse("governance:queue")
        case.refresh_from_db()
        assert (case.status, case.decision_reason) == (CaseStatus.REJECTED, "Pas notre ton")
        response = client.post(reverse("governance:case_decide", args=[case.pk, "approve"]))
        assert response.status_code == 302  # already decided: a message, nothing changes
        case.refresh_from_db()
        assert case.status == CaseStatus.REJECTED

    def test_unknown_decision_is_404(self, client, org, community, ambassador):
        case = flag(org, ambassador)
        client.force_login(community.user)
        response = client.post(reverse("governance:case_decide", args=[case.pk, "ban"]))
        assert response.status_code == 404

    def test_report_page(self, client, ambassador, live_item):
        client.force_login(ambassador.user)
        page = _text(client.get(reverse("governance:report"), {"item": live_item.pk}))
        assert live_item.title in page
        response = client.post(
            reverse("governance:report"), {"item": live_item.pk, "reason": "Erreur de chiffre"}
        )
        assert response.url == reverse("governance:report_done")
        case = ModerationCase.objects.get(source=CaseSource.REPORT)
        assert case.flag_reason == "Erreur de chiffre"

    def test_report_of_an_unknown_item(self, client, ambassador):
        client.force_login(ambassador.user)
        response = client.post(reverse("governance:report"), {"item": 999999, "reason": "x"})
        assert response.status_code == 404
