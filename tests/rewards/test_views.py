"""The pages: owner / member / outsider / wrong method; what each shows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portevoix.rewards import services
from portevoix.rewards.models import Redemption, RedemptionStatus, Reward
from tests import factories
from tests.rewards.conftest import give_points, spendable

pytestmark = pytest.mark.django_db


def login(client, membership):
    client.force_login(membership.user)
    return client


def test_the_catalogue_shows_the_balance_and_what_one_can_afford(client, admin, ambassador):
    from tests.rewards.conftest import make_reward

    make_reward(admin, cost=15, title="Stylo", stock=3)
    make_reward(admin, cost=300, title="Journée offerte", kind="day_off")
    give_points(ambassador, 15)
    html = login(client, ambassador).get(reverse("rewards:catalogue")).content.decode()
    assert "15" in html and "Stylo" in html and "Journée offerte" in html
    assert html.count('action="/rewards/') == 1  # only the affordable one has a button
    assert "3 left" in html or "3 restants" in html


def test_redeem_and_cancel_through_the_pages(client, ambassador, reward):
    give_points(ambassador, 30)
    login(client, ambassador)
    url = reverse("rewards:redeem", args=[reward.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("rewards:mine")
    redemption = Redemption.objects.get()
    assert spendable(ambassador) == 0
    html = client.get(reverse("rewards:mine")).content.decode()
    assert reward.title in html
    cancel = reverse("rewards:cancel", args=[redemption.pk])
    assert client.get(cancel).status_code == 405
    assert client.post(cancel).status_code == 302
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.CANCELLED and spendable(ambassador) == 30


def test_not_enough_points_is_a_message_not_a_hold(client, ambassador, reward):
    response = login(client, ambassador).post(reverse("rewards:redeem", args=[reward.pk]))
    assert response.status_code == 302
    assert not Redemption.objects.exists()


def test_an_outsider_gets_404_everywhere(client, admin, ambassador, reward, outsider):
    give_points(ambassador, 30)
    redemption = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    login(client, outsider)
    assert client.post(reverse("rewards:redeem", args=[reward.pk])).status_code == 404
    assert client.get(reverse("rewards:redeem", args=[reward.pk])).status_code == 404
    assert client.post(reverse("rewards:cancel", args=[redemption.pk])).status_code == 404
    assert client.get(reverse("rewards:cancel", args=[redemption.pk])).status_code == 404
    for action in ("approve", "fulfil", "refuse"):
        url = reverse("rewards:decide", args=[redemption.pk, action])
        assert client.post(url, {f"r{redemption.pk}-reason": "x"}).status_code == 404
        assert client.get(url).status_code == 404
    assert client.get(reverse("rewards:reward_edit", args=[reward.pk])).status_code == 404
    redemption.refresh_from_db()
    assert redemption.status == RedemptionStatus.PENDING


def test_another_member_cannot_cancel_my_request(client, org, ambassador, reward):
    give_points(ambassador, 30)
    redemption = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    other = factories.make_member(org, ambassador=True)
    assert (
        login(client, other).post(reverse("rewards:cancel", args=[redemption.pk])).status_code
        == 404
    )


def test_members_cannot_open_the_queue_or_the_catalogue_editor(client, ambassador, reward):
    login(client, ambassador)
    assert client.get(reverse("rewards:queue")).status_code == 403
    assert client.get(reverse("rewards:manage")).status_code == 403
    assert client.get(reverse("rewards:reward_new")).status_code == 403
    assert client.get(reverse("rewards:reward_edit", args=[reward.pk])).status_code == 403


def test_the_queue_approves_fulfils_and_refuses_with_a_reason(
    client, admin, org, ambassador, reward
):
    give_points(ambassador, 60)
    first = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    login(client, admin)
    html = client.get(reverse("rewards:queue")).content.decode()
    assert reward.title in html and ambassador.user.display_name in html
    approve = reverse("rewards:decide", args=[first.pk, "approve"])
    assert client.get(approve).status_code == 405
    assert client.post(approve).status_code == 302
    assert client.post(reverse("rewards:decide", args=[first.pk, "fulfil"])).status_code == 302
    first.refresh_from_db()
    assert first.status == RedemptionStatus.FULFILLED
    second = services.redemption_request(membership=ambassador, reward_id=reward.pk)
    refuse = reverse("rewards:decide", args=[second.pk, "refuse"])
    response = client.post(refuse, {f"r{second.pk}-reason": ""})
    assert response.status_code == 400
    second.refresh_from_db()
    assert second.status == RedemptionStatus.APPROVED
    assert client.post(refuse, {f"r{second.pk}-reason": "Rupture"}).status_code == 302
    second.refresh_from_db()
    assert second.status == RedemptionStatus.REFUSED and second.reason == "Rupture"
    assert spendable(ambassador) == 30
    assert client.post(reverse("rewards:decide", args=[second.pk, "explode"])).status_code == 404
    # The person reads why.
    client.logout()
    assert "Rupture" in login(client, ambassador).get(reverse("rewards:mine")).content.decode()


def test_the_admin_edits_the_catalogue_and_the_settings(client, admin, org):
    from portevoix.accounts import services as account_services

    team = account_services.team_create(actor=admin, name="Lyon")
    login(client, admin)
    assert client.get(reverse("rewards:manage")).status_code == 200
    data = {
        "kind": "training",
        "title": "Formation",
        "cost": "120",
        "stock": "",
        "active": "on",
        "team_ids": [team.pk],
    }
    assert client.post(reverse("rewards:reward_new"), data).status_code == 302
    reward = Reward.objects.get()
    assert reward.stock is None and list(reward.teams.all()) == [team]
    data.update(cost="0")
    assert client.post(reverse("rewards:reward_edit", args=[reward.pk]), data).status_code == 400
    data.update(cost="100", stock="4")
    assert client.post(reverse("rewards:reward_edit", args=[reward.pk]), data).status_code == 302
    reward.refresh_from_db()
    assert (reward.cost, reward.stock) == (100, 4)
    settings_data = {
        "monthly_budget": "500",
        "first_needs_approval": "on",
        "of_value": "on",
        "disclosure": "",
    }
    assert client.post(reverse("rewards:manage"), settings_data).status_code == 400
    settings_data["disclosure"] = "#salarié"
    assert client.post(reverse("rewards:manage"), settings_data).status_code == 302
    row = services.settings_of(org.pk)
    assert (row.monthly_budget, row.of_value, row.disclosure) == (500, True, "#salarié")
    assert client.put(reverse("rewards:manage")).status_code == 405


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(reverse("rewards:catalogue")).status_code == 302


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_pages_make_a_constant_number_of_queries(client, admin, org):
    from tests.rewards.conftest import make_reward

    members = [factories.make_member(org, ambassador=True) for _ in range(4)]
    for member in members:
        give_points(member, 30)
    make_reward(admin, title="R0")
    login(client, admin)
    pages = [reverse(name) for name in ("rewards:catalogue", "rewards:queue", "rewards:manage")]
    services.redemption_request(membership=members[0], reward_id=Reward.objects.get().pk)
    for url in pages:
        client.get(url)  # fills the page frame's cache (accounts/frame.py)
    before = [_queries(client, url) for url in pages]
    last = [make_reward(admin, title=f"R{n}") for n in range(1, 6)][-1]
    for member in members[1:]:
        services.redemption_request(membership=member, reward_id=last.pk)
    for url in pages:
        client.get(url)  # the writes moved the page frame's versions (accounts/frame.py)
    assert [_queries(client, url) for url in pages] == before
