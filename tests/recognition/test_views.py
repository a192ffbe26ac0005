"""The pages: boards, my points, my choice, the export; who sees what; methods; queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portevoix.core import clock
from portevoix.recognition import selectors, services
from tests import factories
from tests.recognition.conftest import award

pytestmark = pytest.mark.django_db


def login(client, membership):
    client.force_login(membership.user)
    return client


def named(org, name, points, visibility):
    membership = factories.make_member(org, ambassador=True)
    membership.user.full_name = name
    membership.user.save(update_fields=["full_name"])
    award(membership, "comment", f"{name}:c", count=points // 5, network="", at=clock.now())
    services.preference_set(membership=membership, visibility=visibility, pseudonym="")
    return membership


def test_the_board_shows_the_chosen_names_and_never_the_hidden(client, org, ambassador):
    named(org, "Alice Visible", 20, "name")
    named(org, "Bruno Masqué", 15, "pseudonym")
    named(org, "Chloé Cachée", 30, "hidden")
    html = login(client, ambassador).get(reverse("recognition:board")).content.decode()
    assert "Alice Visible" in html
    assert "Bruno Masqué" not in html and "Chloé Cachée" not in html
    assert "Ambassador " in html


def test_the_export_never_has_the_hidden(client, org, admin, ambassador):
    named(org, "Alice Visible", 20, "name")
    named(org, "Chloé Cachée", 30, "hidden")
    response = login(client, admin).get(reverse("recognition:export"), {"period": "all"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alice Visible" in body and "Chloé Cachée" not in body
    assert body.splitlines()[1] == "1,Alice Visible,20"
    # The export is for those who see the organization's figures.
    client.logout()
    assert login(client, ambassador).get(reverse("recognition:export")).status_code == 403


def test_a_team_of_another_organization_is_a_404(client, admin, outsider):
    from portevoix.accounts import services as account_services

    theirs = account_services.team_create(actor=outsider, name="Globex team")
    url = reverse("recognition:board")
    login(client, admin)
    assert client.get(url, {"team": theirs.pk}).status_code == 404
    assert client.get(url, {"team": "x"}).status_code == 404
    assert client.get(reverse("recognition:export"), {"team": theirs.pk}).status_code == 404
    mine = account_services.team_create(actor=admin, name="Paris")
    assert client.get(url, {"team": mine.pk, "period": "week"}).status_code == 200


def test_my_points_page_shows_my_entries_and_rank_even_hidden(client, org, ambassador):
    award(ambassador, "share", "share:1", at=clock.now())
    services.preference_set(membership=ambassador, visibility="hidden")
    html = login(client, ambassador).get(reverse("recognition:me")).content.decode()
    assert "My points" in html and "Share" in html and "rank 1, 2 points" in html
    board = client.get(reverse("recognition:board")).content.decode()
    assert "Rank 1, 2 points." in board and "only you see this" in board


def test_my_points_page_in_french(client, ambassador):
    award(ambassador, "share", "share:1", at=clock.now())
    client.cookies["django_language"] = "fr"
    html = login(client, ambassador).get(reverse("recognition:me"), HTTP_ACCEPT_LANGUAGE="fr")
    text = html.content.decode()
    assert "Mes points" in text and "Partage" in text


def test_the_choice_is_saved_by_post_only(client, ambassador):
    login(client, ambassador)
    url = reverse("recognition:visibility")
    assert client.get(url).status_code == 405
    response = client.post(url, {"visibility": "pseudonym", "pseudonym": "Le Renard"})
    assert response.status_code == 302
    ambassador.ambassador.refresh_from_db()
    assert ambassador.ambassador.pseudonym == "Le Renard"
    bad = client.post(url, {"visibility": "everyone"})
    assert bad.status_code == 400
    assert client.post(reverse("recognition:me")).status_code == 405


def test_pages_need_a_login(client):
    for name in ("recognition:board", "recognition:me"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response.url


def test_the_outsider_never_sees_this_organization(client, org, outsider):
    named(org, "Alice Visible", 20, "name")
    html = login(client, outsider).get(reverse("recognition:board")).content.decode()
    assert "Alice Visible" not in html


def test_the_board_page_makes_a_constant_number_of_queries(
    client, org, ambassador, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, ambassador)
    named(org, "P0", 5, "name")
    client.get(reverse("recognition:board"))  # fills the page frame's cache (accounts/frame.py)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("recognition:board"))
    baseline = len(few)  # before the next request clears the log
    for n in range(1, 12):
        named(org, f"P{n}", 5 * n, ("name", "pseudonym")[n % 2])
    client.get(
        reverse("recognition:board")
    )  # the writes moved the page frame's versions (accounts/frame.py)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("recognition:board"))
    assert len(many) == baseline


def test_the_rules_page_is_for_administrators(client, admin, ambassador, org):
    url = reverse("recognition:rules")
    assert login(client, ambassador).get(url).status_code == 403
    client.logout()
    login(client, admin)
    page = client.get(url)
    assert page.status_code == 200 and "Original post" in page.content.decode()
    data: dict[str, object] = {"default_visibility": "name"}
    for code, default in services.DEFAULT_RULES.items():
        data[f"{code}-points"] = default.points
        data[f"{code}-daily_cap"] = default.daily_cap
        data[f"{code}-network_daily_cap"] = default.network_daily_cap
        data[f"{code}-active"] = "on"
    data["comment-points"] = 8
    assert client.post(url, data).status_code == 302
    rules = {r.code: r for r in selectors.rules_in_force(organization_id=org.pk)}
    assert rules["comment"].points == 8 and rules["comment"].created_by == admin
    assert rules["share"].created_by is None  # unchanged: still the default
    assert selectors.default_visibility(org.pk) == "name"
    data["comment-points"] = -5
    assert client.post(url, data).status_code == 400


def test_a_recount_is_asked_for_by_post_and_listed(client, admin, ambassador, org):
    award(ambassador, "share", "share:1", at=clock.now())
    services.rule_set(
        actor=admin, code="share", points=6, daily_cap=0, network_daily_cap=0, active=True
    )
    url = reverse("recognition:recount")
    assert login(client, ambassador).post(url, {"since": "2020-01-01"}).status_code == 403
    client.logout()
    login(client, admin)
    assert client.get(url).status_code == 405
    assert client.post(url, {"since": "not a day"}).status_code == 400
    assert client.post(url, {"since": "2020-01-01"}).status_code == 302
    page = client.get(reverse("recognition:rules")).content.decode()
    assert "1 award corrected (4 points)" in page
    assert selectors.balance(membership=ambassador) == (6, 6)
    client.logout()
    mine = login(client, ambassador).get(reverse("recognition:me")).content.decode()
    assert "correction by a recount" in mine
