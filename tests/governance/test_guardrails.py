"""Guardrail rules, the gate other apps call, server-side enforcement on workflow comments
(web and API, whatever the client), and the "check my text" page and endpoint."""


# Typographic apostrophes in the French texts are meant.
# ruff: noqa: RUF001

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from portevoix.content.models import Transition
from portevoix.core.errors import DomainError, PermissionDenied
from portevoix.governance import gates, services
from portevoix.governance.models import CaseSource, GuardrailRule, ModerationCase
from tests.api.conftest import ApiClient, token_for
from tests.factories import make_item
from tests.governance.conftest import make_rule

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


# --- Rules


class TestRules:
    def test_terms_are_cleaned_and_deduplicated(self, community):
        rule = make_rule(
            community,
            "blocked_term",
            terms=["  Projet   Orion ", "projet-orion", "", "Chiffre d'affaires"],
            networks=["x", "linkedin", "x"],
        )
        assert rule.terms == ["Projet Orion", "Chiffre d'affaires"]
        assert rule.networks == ["linkedin", "x"]

    @pytest.mark.parametrize(
        ("kind", "fields", "error"),
        [
            ("blocked_term", {"terms": []}, "terms"),
            ("blocked_term", {"terms": ["!!!"]}, "terms"),
            ("avoid_word", {"terms": ["x" * 101]}, "terms"),
            ("link_domain", {"allowed_domains": []}, "allowed_domains"),
            ("link_domain", {"allowed_domains": ["not a domain"]}, "allowed_domains"),
            ("disclosure", {"disclosures": {}}, "disclosures"),
            ("disclosure", {"disclosures": {"myspace": "#x"}}, "disclosures.myspace"),
            ("blocked_term", {"terms": ["a"], "networks": ["myspace"]}, "networks"),
            ("nonsense", {"terms": ["a"]}, "kind"),
        ],
    )
    def test_invalid_rules(self, community, kind, fields, error):
        with pytest.raises(DomainError) as exc:
            make_rule(community, kind, **fields)
        assert error in exc.value.field_errors

    def test_domains_are_normalized(self, community):
        rule = make_rule(
            community, "link_domain", allowed_domains=["https://WWW.Lumen.example.com/x", "a.org"]
        )
        assert rule.allowed_domains == ["www.lumen.example.com", "a.org"]

    def test_who_manages_rules(self, admin, community, manager, member):
        make_rule(admin, "avoid_word", terms=["a"])
        make_rule(community, "avoid_word", terms=["b"])
        for person in (manager, member):
            with pytest.raises(PermissionDenied):
                make_rule(person, "avoid_word", terms=["c"])

    def test_update_and_delete(self, community):
        rule = make_rule(community, "avoid_word", "warn", terms=["cheap"])
        services.rule_update(
            actor=community,
            rule=rule,
            data=services.RuleData(
                kind="avoid_word", action="block", terms=["cheap", "bon marché"]
            ),
        )
        rule.refresh_from_db()
        assert (rule.action, rule.terms) == ("block", ["cheap", "bon marché"])
        services.rule_delete(actor=community, rule=rule)
        assert not GuardrailRule.objects.filter(pk=rule.pk).exists()


# --- The gate


class TestGuardrailsCheck:
    def test_no_rules_no_change(self, org):
        result = gates.guardrails_check(organization=org, text="Bonjour", network="linkedin")
        assert result.text == "Bonjour"
        assert result.matches == ()

    def test_blocked_warned_and_disclosure(self, org, rules):
        text = "Le Projet Orion, pas cher, mieux que VoltaVerde : https://voltaverde.example.net"
        result = gates.guardrails_check(organization=org, text=text, network="linkedin")
        assert result.blocked and result.warned
        assert [(m.kind, m.action, text[m.start : m.end]) for m in result.matches] == [
            ("blocked_term", "block", "Projet Orion"),
            ("avoid_word", "warn", "pas cher"),
            ("competitor", "warn", "VoltaVerde"),
            ("link_domain", "warn", "https://voltaverde.example.net"),
            ("competitor", "warn", "voltaverde"),  # the name in the link counts too
        ]
        assert result.matches[0].reason == "Confidential project."
        assert result.matches[1].reason  # the default message of the kind
        assert result.text == text + " #collaborateur"

    def test_disclosure_that_does_not_fit_is_a_warning(self, org, rules):
        text = "x" * 275
        result = gates.guardrails_check(organization=org, text=text, network="x")
        assert result.text == text
        [match] = result.matches
        assert (match.kind, match.action, match.start, match.end) == (
            "disclosure",
            "warn",
            275,
            275,
        )
        assert "does not fit" in match.reason

    def test_the_platforms_own_links_are_allowed(self, org, rules, settings):
        settings.SITE_URL = "https://go.portevoix.example.org"
        text = "https://go.portevoix.example.org/l/abc #employee"
        assert gates.guardrails_check(organization=org, text=text, network="x").matches == ()

    def test_inactive_rules_and_other_orgs_rules_do_not_apply(
        self, org, other_org, rules, outsider
    ):
        make_rule(outsider, "blocked_term", terms=["Bonjour"])
        rules["blocked"].active = False
        rules["blocked"].save(update_fields=["active"])
        result = gates.guardrails_check(organization=org, text="Bonjour Projet Orion", network="")
        assert not result.blocked

    def test_unknown_network_is_a_text_without_network(self, org, rules):
        result = gates.guardrails_check(organization=org, text="Hello", network="myspace")
        assert result.text == "Hello"


# --- Enforcement on workflow comments


class TestCommentEnforcement:
    def test_service_refuses_a_blocked_comment(self, manager, approver, rules):
        from portevoix.content import services as content

        item = make_item(manager)
        with pytest.raises(DomainError) as exc:
            content.item_comment(membership=approver, item=item, comment="Et le projet-orion ?")
        assert "Projet Orion" in exc.value.field_errors["comment"][0]
        assert not Transition.objects.filter(item=item, action="comment").exists()

    def test_warned_comment_goes_to_moderation(self, manager, approver, rules):
        from portevoix.content import services as content

        item = make_item(manager)
        transition = content.item_comment(
            membership=approver, item=item, comment="Une offre low-cost ?"
        )
        case = ModerationCase.objects.get(object_type="content.comment")
        assert case.object_id == str(transition.pk)
        assert case.source == CaseSource.WARNING
        assert case.author == approver
        assert "low cost" in case.flag_reason
        # No disclosure on comments: they are not posted on a network.
        assert transition.comment == "Une offre low-cost ?"

    def test_web_comment_refused_with_the_term(self, client, manager, approver, rules):
        item = make_item(manager)
        client.force_login(approver.user)
        response = client.post(
            reverse("content:item_comment", args=[item.pk]),
            {"comment-comment": "Le chiffre d’affaires prévisionnel est bon"},
        )
        assert response.status_code == 400
        assert "chiffre d&#x27;affaires prévisionnel" in _text(response)
        assert not Transition.objects.filter(item=item, action="comment").exists()

    def test_api_comment_refused_whatever_the_client(self, manager, approver, rules):
        item = make_item(manager)
        api = ApiClient(token_for(approver))
        response = api.post(f"/content/{item.pk}/comment", {"comment": "PROJET ORION!"})
        assert response.status_code == 400
        body = response.json()
        assert "Projet Orion" in body["errors"]["comment"][0]
        ok = api.post(f"/content/{item.pk}/comment", {"comment": "Belle photo"})
        assert ok.status_code == 201


# --- Check my text


class TestCheckPage:
    def test_asks_for_the_charter_first(self, client, ambassador, charter):
        client.force_login(ambassador.user)
        response = client.get(reverse("governance:check"))
        assert response.status_code == 302
        assert response.url == reverse("governance:charter") + "?next=%2Fgovernance%2Fcheck%2F"

    def test_blocked_text_is_refused_with_the_term_marked(self, client, ambassador, rules):
        client.force_login(ambassador.user)
        page = _text(client.get(reverse("governance:check")))
        assert 'data-guardrails="linkedin"' in page
        response = client.post(
            reverse("governance:check"), {"network": "linkedin", "text": "Vive le Projet Orion !"}
        )
        assert response.status_code == 400
        page = _text(response)
        assert '<mark class="guardrails-block">Projet Orion</mark>' in page
        assert "Your text is refused" in page

    def test_allowed_text_gets_its_disclosure(self, client, ambassador, rules):
        client.force_login(ambassador.user)
        response = client.post(
            reverse("governance:check"), {"network": "linkedin", "text": "Nous recrutons"}
        )
        assert response.status_code == 200
        assert "Nous recrutons #collaborateur" in _text(response)


class TestCheckLive:
    URL = "/governance/check/live/"

    def _post(self, client, body):
        return client.post(self.URL, json.dumps(body), content_type="application/json")

    def test_matches_with_offsets(self, client, ambassador, rules):
        client.force_login(ambassador.user)
        text = "🚀 Le Projet Orion, pas cher"
        response = self._post(client, {"network": "linkedin", "text": text})
        assert response.status_code == 200
        data = response.json()
        assert data["blocked"] is True and data["warned"] is True
        assert [(m["found"], m["start"], m["end"], m["action"]) for m in data["matches"]] == [
            ("Projet Orion", 5, 17, "block"),
            ("pas cher", 19, 27, "warn"),
        ]
        assert text[5:17] == "Projet Orion"
        assert data["matches"][0]["message"].startswith("“Projet Orion”")
        assert data["text"].endswith(" #collaborateur")

    def test_refusals(self, client, ambassador, rules):
        assert self._post(client, {"text": "x"}).status_code == 401
        client.force_login(ambassador.user)
        assert self._post(client, {"network": "myspace", "text": "x"}).status_code == 400
        assert self._post(client, {"network": "x", "text": 3}).status_code == 400
        assert self._post(client, ["x"]).status_code == 400
        assert client.get(self.URL).status_code == 405

    def test_csrf_is_checked(self, ambassador, rules):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        strict.force_login(ambassador.user)
        response = strict.post(
            self.URL, json.dumps({"network": "x", "text": "a"}), content_type="application/json"
        )
        assert response.status_code == 403
