"""Rewards of value: every share carries the organization's incentive disclosure, through
governance's guardrails hook, and the share page tells the ambassador why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portevoix.governance import gates
from portevoix.sharing import services as sharing_services
from tests.factories import make_live_item
from tests.rewards.conftest import configure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short_links(settings):
    settings.SHORT_LINK_BASE_URL = "https://go.example.org"


@pytest.fixture
def item(manager, approver):
    return make_live_item(manager, approver)


def test_nothing_is_required_while_the_rewards_are_not_of_value(org, admin):
    configure(admin, of_value=False, disclosure="#salarié")
    assert gates.required_disclosures(org) == []
    result = gates.guardrails_check(organization=org, text="Venez nous voir", network="x")
    assert result.text == "Venez nous voir"


def test_of_value_adds_the_disclosure_to_every_network_text(org, admin, other_org):
    configure(admin, of_value=True, disclosure="#salarié")
    [required] = gates.required_disclosures(org)
    assert required.disclosures == {"*": "#salarié"} and "#salarié" in required.reason
    result = gates.guardrails_check(organization=org, text="Venez nous voir", network="x")
    assert result.text == "Venez nous voir #salarié" and not result.blocked
    # Already there (any case): not twice. A comment (no network): nothing.
    assert gates.guardrails_check(organization=org, text="Venez #Salarié", network="x").text == (
        "Venez #Salarié"
    )
    assert gates.guardrails_check(organization=org, text="Bravo", network="").text == "Bravo"
    # Another organization is not concerned.
    assert gates.required_disclosures(other_org) == []


def test_a_text_too_long_for_the_disclosure_is_blocked(org, admin):
    configure(admin, of_value=True, disclosure="#salarié")
    result = gates.guardrails_check(organization=org, text="a" * 279, network="x")
    assert result.blocked and result.matches[0].kind == "disclosure"


def test_suggested_and_personal_shares_carry_it(org, admin, ambassador, item):
    configure(admin, of_value=True, disclosure="#employee")
    suggested = sharing_services.share_open(membership=ambassador, item_id=item.pk, network="x")
    assert suggested.text.endswith("#employee")
    own = sharing_services.share_open(
        membership=ambassador, item_id=item.pk, network="bluesky", text="Mon texte à moi"
    )
    assert own.text.endswith("#employee")


def test_the_share_page_tells_why(client, org, admin, ambassador, item):
    client.force_login(ambassador.user)
    url = reverse("sharing:share", args=[item.pk, "x"])
    assert 'id="required-disclosures"' not in client.get(url).content.decode()
    configure(admin, of_value=True, disclosure="#salarié")
    html = client.get(url).content.decode()
    assert 'id="required-disclosures"' in html and "#salarié" in html
