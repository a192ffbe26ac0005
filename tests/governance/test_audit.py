"""The audit log: an entry for every admin and moderation action of governance, written in
the same transaction; entries refused to be changed or deleted by the model AND by the
database (triggers, tested with raw SQL on SQLite and PostgreSQL); the page and its CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portevoix.core.errors import DomainError
from portevoix.governance import gates, services
from portevoix.governance.models import AuditEntry, AuditLogImmutableError, ModerationCase
from tests import factories
from tests.governance.conftest import make_rule, publish_charter

pytestmark = pytest.mark.django_db


def entries(org, action=None):
    qs = AuditEntry.objects.filter(organization=org).order_by("at", "id")
    return list(qs.filter(action=action) if action else qs)


# --- Every admin action of governance is recorded


class TestEntries:
    def test_charter_actions(self, org, admin):
        draft = services.charter_draft_create(actor=admin, body_fr="v1", body_en="")
        services.charter_draft_update(actor=admin, version=draft, body_fr="v1 bis", body_en="")
        services.charter_publish(actor=admin, version=draft, summary_of_changes="")
        second = services.charter_draft_create(actor=admin)
        services.charter_draft_delete(actor=admin, version=second)
        log = entries(org)
        assert [e.action for e in log] == [
            "charter.draft_create",
            "charter.draft_update",
            "charter.publish",
            "charter.draft_create",
            "charter.draft_delete",
        ]
        update = log[1]
        assert update.actor == admin.user
        assert admin.user.email in update.actor_label
        assert (update.object_type, update.object_id) == (
            "governance.charterversion",
            str(draft.pk),
        )
        assert update.before["body_fr"] == "v1" and update.after["body_fr"] == "v1 bis"
        publish = log[2]
        assert (publish.before["status"], publish.after["status"]) == ("draft", "published")
        assert log[4].after is None and log[4].before["number"] == 2

    def test_rule_actions(self, org, community):
        rule = make_rule(community, "blocked_term", terms=["Orion"])
        services.rule_update(
            actor=community,
            rule=rule,
            data=services.RuleData(kind="blocked_term", action="warn", terms=["Orion"]),
        )
        rule_id = rule.pk
        services.rule_delete(actor=community, rule=rule)
        log = entries(org)
        assert [e.action for e in log] == [
            "guardrail.create",
            "guardrail.update",
            "guardrail.delete",
        ]
        assert log[0].before is None and log[0].after["terms"] == ["Orion"]
        assert (log[1].before["action"], log[1].after["action"]) == ("block", "warn")
        assert log[2].after is None and log[2].object_id == str(rule_id)

    def test_moderation_decisions(self, org, community, ambassador):
        for n, decision in enumerate(("approve", "reject", "remove")):
            gates.moderation_flag(
                organization=org, author=ambassador, text="t", reason="r", source="x", object_id=n
            )
            case = ModerationCase.objects.get(object_id=str(n))
            services.moderation_decide(actor=community, case=case, decision=decision, reason="why")
        log = entries(org)
        assert [e.action for e in log] == [
            "moderation.approve",
            "moderation.reject",
            "moderation.remove",
        ]
        assert log[1].before == {"status": "open", "reason": ""}
        assert log[1].after["status"] == "rejected" and log[1].after["reason"] == "why"

    def test_a_refused_action_leaves_no_entry(self, org, admin, charter):
        draft = services.charter_draft_create(actor=admin)
        count = len(entries(org))
        with pytest.raises(DomainError):
            services.charter_publish(actor=admin, version=draft, summary_of_changes="")
        assert len(entries(org)) == count

    def test_the_entry_shares_the_transaction(self, org, admin):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.charter_draft_create(actor=admin, body_fr="x")
            raise RuntimeError("the caller fails after the change")
        assert entries(org) == []

    def test_audit_record_for_other_apps(self, org, admin):
        gates.audit_record(
            organization=org,
            actor=admin,
            action="share.remove",
            object_type="sharing.share",
            object_id=12,
            before={"state": "published"},
            after={"state": "removed"},
        )
        gates.audit_record(
            organization=org,
            actor=None,
            action="crisis.pause",
            object_type="org",
            object_id="",
            before=None,
            after=None,
        )
        [share, system] = entries(org)
        assert (share.object_id, share.after) == ("12", {"state": "removed"})
        assert system.actor is None and system.actor_label == ""

    def test_the_actor_account_can_be_deleted(self, org, admin):
        other = factories.make_member(org, "admin")
        services.charter_draft_create(actor=other, body_fr="x")
        label = entries(org)[0].actor_label
        other.user.delete()
        [entry] = entries(org)
        assert entry.actor_label == label


# --- Nobody can edit or delete an entry


@pytest.fixture
def entry(org, admin):
    gates.audit_record(
        organization=org,
        actor=admin,
        action="charter.publish",
        object_type="t",
        object_id=1,
        before=None,
        after={"a": 1},
    )
    return AuditEntry.objects.get(organization=org)


class TestModelRefuses:
    def test_save_of_an_existing_entry(self, entry):
        entry.action = "nothing.happened"
        with pytest.raises(AuditLogImmutableError):
            entry.save()

    def test_delete(self, entry):
        with pytest.raises(AuditLogImmutableError):
            entry.delete()

    def test_queryset_update_and_delete(self, entry):
        with pytest.raises(AuditLogImmutableError):
            AuditEntry.objects.filter(pk=entry.pk).update(action="x")
        with pytest.raises(AuditLogImmutableError):
            AuditEntry.objects.all().delete()
        with pytest.raises(AuditLogImmutableError):
            AuditEntry.objects.bulk_update([entry], ["action"])
        entry.refresh_from_db()
        assert entry.action == "charter.publish"


class TestDatabaseRefuses:
    """Raw SQL, past the model: the triggers of migration 0002 refuse it."""

    @pytest.mark.parametrize(
        "sql",
        [
            "UPDATE governance_auditentry SET action = 'forged' WHERE id = %s",
            "UPDATE governance_auditentry SET after = NULL WHERE id = %s",
            "DELETE FROM governance_auditentry WHERE id = %s",
        ],
    )
    def test_raw_sql_is_refused(self, entry, sql):
        with (
            pytest.raises(DatabaseError) as exc,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
        assert "cannot be changed or deleted" in str(exc.value)
        entry.refresh_from_db()
        assert entry.action == "charter.publish"
        assert entry.after == {"a": 1}

    def test_triggers_exist_on_this_database(self):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT tgname FROM pg_trigger"
                    " WHERE tgrelid = 'governance_auditentry'::regclass AND NOT tgisinternal"
                )
            else:
                cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                    " AND tbl_name = 'governance_auditentry'"
                )
            names = {row[0] for row in cursor.fetchall()}
        assert names


# --- The page


class TestAuditPage:
    def test_search_by_person_object_and_date(self, client, org, admin, community):
        publish_charter(admin)
        make_rule(community, "avoid_word", terms=["cheap"])
        client.force_login(admin.user)
        page = client.get(reverse("governance:audit")).content.decode()
        assert "<code>charter.publish</code>" in page and "<code>guardrail.create</code>" in page
        page = client.get(reverse("governance:audit"), {"person": "community@"}).content.decode()
        assert "<code>guardrail.create</code>" in page
        assert "<code>charter.publish</code>" not in page
        page = client.get(
            reverse("governance:audit"), {"object_type": "governance.charterversion"}
        ).content.decode()
        assert "<code>guardrail.create</code>" not in page
        assert "<code>charter.publish</code>" in page
        page = client.get(
            reverse("governance:audit"), {"date_from": "2000-01-01", "date_to": "2000-01-02"}
        ).content.decode()
        assert "No entry matches." in page

    def test_changes_are_shown_field_by_field(self, client, org, admin, community, ambassador):
        gates.moderation_flag(
            organization=org, author=ambassador, text="t", reason="r", source="x", object_id=1
        )
        case = ModerationCase.objects.get(organization=org)
        services.moderation_decide(actor=community, case=case, decision="reject", reason="Non")
        client.force_login(admin.user)
        page = client.get(reverse("governance:audit")).content.decode()
        assert "<del>open</del> → <ins>rejected</ins>" in page
        assert "<ins>Non</ins>" in page

    def test_csv_export_follows_the_filters(self, client, admin, community):
        publish_charter(admin)
        make_rule(community, "avoid_word", terms=["cheap"])
        client.force_login(admin.user)
        response = client.get(reverse("governance:audit_csv"), {"action": "guardrail.create"})
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0] == [
            "When",
            "Who",
            "Action",
            "Object type",
            "Object id",
            "Before",
            "After",
            "What happened",
        ]
        assert [r[2] for r in rows[1:]] == ["guardrail.create"]
        assert rows[1][7] == "Guardrail added: …"
        assert '"terms": ["cheap"]' in rows[1][6]

    def test_paginated_with_constant_queries(self, client, org, admin):
        for n in range(3):
            gates.audit_record(
                organization=org,
                actor=admin,
                action="a",
                object_type="t",
                object_id=n,
                before=None,
                after=None,
            )
        client.force_login(admin.user)
        client.get(reverse("governance:audit"))
        with CaptureQueriesContext(connection) as few:
            client.get(reverse("governance:audit"))
        for n in range(60):
            gates.audit_record(
                organization=org,
                actor=admin,
                action="a",
                object_type="t",
                object_id=n,
                before=None,
                after=None,
            )
        with CaptureQueriesContext(connection) as many:
            response = client.get(reverse("governance:audit"))
        assert len(many) == len(few)
        assert "Page 1 of 2" in response.content.decode()

    def test_another_organizations_entries_are_invisible(self, client, admin, outsider):
        publish_charter(outsider)
        client.force_login(admin.user)
        assert "No entry matches." in client.get(reverse("governance:audit")).content.decode()
