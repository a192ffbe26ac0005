"""The share page's live checks: the endpoint answers the length AND the organization's
guardrails (a competitor's name warns, a blocked term blocks), as the server decides on
submit; the form is sent in the same tab."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portevoix.accounts.roles import Role
from portevoix.governance import services as governance_services
from portevoix.sharing.models import Share
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def rules(org: Any) -> None:
    community = factories.make_member(org, Role.COMMUNITY_MANAGER, email="community@acme.test")
    for kind, action, terms in [
        ("competitor", "warn", ["VoltaVerde"]),
        ("blocked_term", "block", ["Projet Orion"]),
    ]:
        governance_services.rule_create(
            actor=community,
            data=governance_services.RuleData(kind=kind, action=action, terms=terms),
        )


def check(client: Client, body: Any) -> Any:
    return client.post(reverse("sharing:check"), json.dumps(body), content_type="application/json")


def share_url(item: Any, network: str = "x") -> str:
    return reverse("sharing:share", args=[item.pk, network])


def test_a_competitors_name_comes_back_as_a_warning(client, ambassador, item, rules):
    client.force_login(ambassador.user)
    client.get(share_url(item))  # creates the tracked link
    data = check(
        client, {"item_id": item.pk, "network": "x", "text": "Mieux que VoltaVerde !"}
    ).json()
    assert data["ok"] is True and data["fits"] is True and data["blocked"] is False
    assert [(h["action"], h["kind"], h["term"]) for h in data["guardrails"]] == [
        ("warn", "competitor", "VoltaVerde")
    ]
    assert "VoltaVerde" in data["guardrails"][0]["message"]
    assert "competitor" in data["guardrails"][0]["message"]


def test_a_blocked_term_makes_the_text_not_ok(client, ambassador, item, rules):
    client.force_login(ambassador.user)
    client.get(share_url(item))
    data = check(client, {"item_id": item.pk, "network": "x", "text": "Le projet orion"}).json()
    assert data["fits"] is True
    assert data["blocked"] is True and data["ok"] is False
    assert [h["action"] for h in data["guardrails"]] == ["block"]
    # The server refuses the same text on submit, whatever the browser did.
    response = client.post(share_url(item), {"text": "Le projet orion"})
    assert response.status_code == 400
    assert not Share.objects.exists()


def test_over_the_limit_is_not_ok(client, ambassador, item, rules):
    client.force_login(ambassador.user)
    client.get(share_url(item))
    data = check(client, {"item_id": item.pk, "network": "x", "text": "a" * 300}).json()
    assert data["ok"] is False and data["fits"] is False and data["errors"]
    assert data["length"] > data["limit"] == 280
    assert data["guardrails"] == [] and data["blocked"] is False


def test_an_unchanged_suggested_text_is_not_checked_against_the_guardrails(
    client, ambassador, manager, approver, org
):
    # As on submit: the organization's own suggested copy is not the ambassador's text.
    item = factories.make_live_item(
        manager,
        approver,
        copies=[factories.CopyData("x", "Plus fort que VoltaVerde https://example.org/jobs/42")],
    )
    community = factories.make_member(org, Role.COMMUNITY_MANAGER, email="community@acme.test")
    governance_services.rule_create(
        actor=community,
        data=governance_services.RuleData(kind="competitor", action="warn", terms=["VoltaVerde"]),
    )
    client.force_login(ambassador.user)
    client.get(share_url(item))
    suggested = "Plus fort que VoltaVerde https://example.org/jobs/42"
    data = check(client, {"item_id": item.pk, "network": "x", "text": suggested}).json()
    assert data["guardrails"] == [] and data["ok"] is True
    data = check(client, {"item_id": item.pk, "network": "x", "text": "VoltaVerde, non"}).json()
    assert [h["term"] for h in data["guardrails"]] == ["VoltaVerde"]


def test_an_outsider_gets_404(client, outsider, item, rules):
    client.force_login(outsider.user)
    response = check(client, {"item_id": item.pk, "network": "x", "text": "VoltaVerde"})
    assert response.status_code == 404
    assert "guardrails" not in response.json()


def test_the_form_stays_in_the_same_tab_with_a_live_region(client, ambassador, item):
    client.force_login(ambassador.user)
    html = client.get(share_url(item)).content.decode()
    assert 'target="_blank"' not in html
    assert 'id="share-guardrails"' in html and 'aria-live="polite"' in html
    assert 'aria-describedby="share-counter share-guardrails"' in html
    assert "data-share-submit" in html


def test_a_share_still_redirects_to_the_network(client, ambassador, item):
    client.force_login(ambassador.user)
    client.get(share_url(item))
    response = client.post(share_url(item), {"text": "Mon équipe recrute"})
    assert response.status_code == 302
    assert response["Location"].startswith("https://x.com/intent/post?")


def test_the_new_strings_are_in_french(client, ambassador, item):
    client.force_login(ambassador.user)
    with translation.override("fr"):
        html = client.get(share_url(item), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "La charte des réseaux sociaux refuse ce texte" in html
    assert "les modérateurs le liront" in html
