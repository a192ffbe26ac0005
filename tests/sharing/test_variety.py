"""The variety check (sharing/variety.py, decision 0030): a personalized text that reads
almost like (similarity >= 90) the posts of at least 3 colleagues on the same network in
the last 30 days warns on the share page's live check; never a block."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from portevoix.core import clock
from portevoix.sharing import variety
from portevoix.sharing.models import Share, TrackedLink
from tests import factories

pytestmark = pytest.mark.django_db

OWN = "Fiers de notre nouvelle usine à Lyon, 200 emplois créés cette année !"
# The colleagues' posts: the same words give or take a letter, each with its own link.
ALMOST = "Fiers de notre nouvelle usine à Lyon : 200 emplois créés cette année ! https://go.example.org/l/{n}"

_n = iter(range(1, 10_000))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def share(membership: Any, item: Any, text: str, *, network: str = "x", days_ago: int = 1):
    n = next(_n)
    link, _created = TrackedLink.objects.get_or_create(
        membership=membership,
        item=item,
        network=network,
        defaults={"organization_id": membership.organization_id, "code": f"v{n}"},
    )
    return Share.objects.create(
        organization_id=membership.organization_id,
        membership=membership,
        item=item,
        network=network,
        link=link,
        text=text.format(n=n),
        personalized=True,
        created_at=clock.now() - dt.timedelta(days=days_ago),
    )


def colleagues(org: Any, count: int) -> list[Any]:
    return [factories.make_member(org, ambassador=True) for _ in range(count)]


def check(client: Any, item: Any, text: str, network: str = "x") -> Any:
    body = {"item_id": item.pk, "network": network, "text": text}
    response = client.post(
        reverse("sharing:check"), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200
    return response.json()


def test_the_rule_is_what_the_decision_says():
    assert variety.SIMILARITY == 90
    assert variety.COLLEAGUES == 3
    assert variety.WINDOW.days == 30


def test_a_near_copy_of_three_colleagues_warns(client, org, ambassador, item):
    for colleague in colleagues(org, 3):
        share(colleague, item, ALMOST)
    client.force_login(ambassador.user)
    data = check(client, item, OWN)
    assert data["variety"]["colleagues"] == 3
    assert "3 colleagues" in data["variety"]["message"] and "X" in data["variety"]["message"]
    # A warning, never a block.
    assert data["ok"] is True and data["blocked"] is False


def test_in_french_too(org, ambassador, item):
    for colleague in colleagues(org, 3):
        share(colleague, item, ALMOST)
    with translation.override("fr"):
        warning = variety.variety_warning(
            organization_id=org.pk, membership_id=ambassador.pk, network="x", text=OWN
        )
    assert warning is not None and "3 collègues" in warning.message


def test_two_colleagues_are_not_enough(client, org, ambassador, item):
    two = colleagues(org, 2)
    for colleague in two:
        share(colleague, item, ALMOST)
    # The same colleague twice still counts once.
    share(two[0], item, ALMOST)
    client.force_login(ambassador.user)
    assert check(client, item, OWN)["variety"] is None


def test_the_ambassadors_own_earlier_shares_do_not_count(org, ambassador, item):
    for _ in range(3):
        share(ambassador, item, ALMOST)
    assert (
        variety.near_copy_colleagues(
            organization_id=org.pk, membership_id=ambassador.pk, network="x", text=OWN
        )
        == 0
    )


def test_a_different_text_does_not_warn(client, org, ambassador, item):
    for colleague in colleagues(org, 4):
        share(colleague, item, ALMOST)
    client.force_login(ambassador.user)
    data = check(client, item, "Une visite de l'usine de Lyon m'a convaincu : quelle équipe.")
    assert data["variety"] is None


def test_the_suggested_copy_unchanged_is_not_a_near_copy_warning(client, org, ambassador, item):
    suggested = item.copies.get(network="x").text
    for colleague in colleagues(org, 3):
        share(colleague, item, suggested)
    client.force_login(ambassador.user)
    # The ambassador did not personalize: the suggested copy is everyone's, by design.
    assert check(client, item, suggested)["variety"] is None
    # Changing one word makes it their text, and then it is a near-copy of the colleagues'.
    assert check(client, item, suggested.replace("On recrute", "On recrute !"))["variety"]


def test_another_network_is_ignored(client, org, ambassador, item):
    for colleague in colleagues(org, 3):
        share(colleague, item, ALMOST, network="linkedin")
    client.force_login(ambassador.user)
    assert check(client, item, OWN, network="x")["variety"] is None


def test_older_than_thirty_days_is_ignored(client, org, ambassador, item):
    for colleague in colleagues(org, 3):
        share(colleague, item, ALMOST, days_ago=31)
    client.force_login(ambassador.user)
    assert check(client, item, OWN)["variety"] is None


def test_another_organizations_shares_are_ignored(client, org, other_org, ambassador, item):
    theirs = factories.make_item(factories.make_member(other_org, "content_manager"))
    for colleague in colleagues(other_org, 3):
        share(colleague, theirs, ALMOST)
    client.force_login(ambassador.user)
    assert check(client, item, OWN)["variety"] is None


def test_removed_shares_are_ignored(client, org, ambassador, item):
    for colleague in colleagues(org, 3):
        share(colleague, item, ALMOST)
    Share.objects.update(removed_at=clock.now())
    client.force_login(ambassador.user)
    assert check(client, item, OWN)["variety"] is None


def test_comparison_ignores_links_case_and_punctuation():
    assert variety.comparable("Hello, WORLD! https://x.example/a?b=1 ok") == "hello world ok"
    assert variety.comparable("https://only.example") == ""
