"""The audit log and moderation in words: each app registers its actions and objects
(core.audit_labels, from its AppConfig.ready); the page shows "Posting rhythm changed for
LinkedIn by Alice", keeps the code in small text, falls back to the code for an unknown
action, names a page's objects with one query per type, in English and in French."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from portevoix.core import audit_labels
from portevoix.governance import gates, services
from tests import factories
from tests.governance.conftest import make_rule, publish_charter

pytestmark = pytest.mark.django_db


def record(org, actor, action, object_type, object_id):
    gates.audit_record(
        organization=org,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=None,
        after=None,
    )


@pytest.fixture
def alice(org):
    member = factories.make_member(org, "admin", email="alice@example.org")
    member.user.full_name = "Alice Martin"
    member.user.save(update_fields=["full_name"])
    return member


def page(client, member, lang="en", **params):
    client.force_login(member.user)
    client.cookies["django_language"] = lang
    response = client.get(reverse("governance:audit"), params, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response.content.decode()


class TestRegistry:
    def test_every_app_registered_its_actions(self):
        for code in (
            "publishing.cadence_set",
            "publishing.pause",
            "publishing.delegation_grant",
            "charter.publish",
            "guardrail.create",
            "moderation.remove",
        ):
            assert audit_labels.action_label(code), code
        assert audit_labels.type_label("content.item") == "content item"

    def test_unknown_action_and_type_fall_back_to_their_code(self):
        assert audit_labels.action_label("nobody.knows") is None
        words = audit_labels.describe_entry(
            action="nobody.knows", object_label="thing #3", actor_label="Bob <bob@x.org>"
        )
        assert words.sentence == "nobody.knows on thing #3 by Bob"
        assert not words.known
        assert audit_labels.describe_objects(1, [("thing", "3")]) == {("thing", "3"): "thing #3"}

    def test_system_entries_say_so(self):
        words = audit_labels.describe_entry(
            action="publishing.cadence_set", object_label="LinkedIn", actor_label=""
        )
        assert words.sentence == "Posting rhythm changed for LinkedIn (automatic)"


class TestAuditPage:
    def test_several_actions_in_words_with_the_code_kept(self, client, org, alice, community):
        record(org, alice, "publishing.cadence_set", "cadence_rule", "linkedin")
        publish_charter(alice)
        make_rule(community, "avoid_word", terms=["cheap"])
        record(org, alice, "nobody.knows", "thing", 7)
        html = page(client, alice)
        assert "Posting rhythm changed for LinkedIn by Alice Martin" in html
        assert "Charter published (charter version 1) by Alice Martin" in html
        assert "Guardrail added: Word to avoid (cheap) by" in html
        assert "nobody.knows on thing #7 by Alice Martin" in html
        # The codes stay visible, in small text, for admins who search for them.
        assert "<code>publishing.cadence_set</code>" in html
        assert "<code>cadence_rule</code> #linkedin" in html
        assert "cadence_rule #" not in html.split("audit-sentence")[1].split("</span>")[0]

    def test_in_french(self, client, org, alice):
        record(org, alice, "publishing.cadence_set", "cadence_rule", "linkedin")
        publish_charter(alice)
        html = page(client, alice, "fr")
        assert "Rythme de publication modifié pour LinkedIn par Alice Martin" in html
        assert "Charte publiée (version 1 de la charte) par Alice Martin" in html

    def test_filter_choices_are_labels(self, client, org, alice):
        record(org, alice, "publishing.cadence_set", "cadence_rule", "linkedin")
        html = page(client, alice)
        assert '<option value="publishing.cadence_set">Posting rhythm changed for …' in html
        assert '<option value="cadence_rule">posting rhythm</option>' in html

    def test_objects_are_named_in_a_constant_number_of_queries(
        self, client, org, alice, manager, community
    ):
        def add_some(n):
            for i in range(n):
                item = factories.make_item(manager, title=f"Item {n}-{i}")
                record(org, alice, "moderation.remove", "content.item", item.pk)
                record(org, alice, "publishing.cadence_set", "cadence_rule", "mastodon")
                make_rule(community, "avoid_word", terms=[f"word{n}{i}"])
                draft = services.charter_draft_create(actor=alice, body_fr="x", body_en="")
                services.charter_draft_delete(actor=alice, version=draft)

        add_some(1)
        page(client, alice)
        with CaptureQueriesContext(connection) as few:
            page(client, alice)
        baseline = len(few)  # before the next request clears the log
        add_some(4)
        page(client, alice)  # the writes moved the page frame's versions (accounts/frame.py)
        with CaptureQueriesContext(connection) as many:
            html = page(client, alice)
        assert len(many) == baseline
        assert "Text taken down in moderation (item “Item 4-3”)" in html


class TestModeration:
    def test_case_page_and_queue_name_the_object(self, client, org, manager, approver, community):
        item = factories.make_live_item(manager, approver, title="Spring launch")
        case = services.moderation_report(membership=manager, item_id=item.pk, reason="Typo")
        client.force_login(community.user)
        html = client.get(reverse("governance:case", args=[case.pk])).content.decode()
        assert "item “Spring launch”" in html
        assert f"<code>content.item</code> #{item.pk}" in html
        queue = client.get(reverse("governance:queue")).content.decode()
        assert "item “Spring launch”" in queue

    def test_case_page_in_french(self, client, org, manager, approver, community):
        item = factories.make_live_item(manager, approver, title="Lancement")
        case = services.moderation_report(membership=manager, item_id=item.pk, reason="Typo")
        client.force_login(community.user)
        client.cookies["django_language"] = "fr"
        with translation.override("fr"):
            html = client.get(
                reverse("governance:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="fr"
            ).content.decode()
        assert "contenu « Lancement »" in html
