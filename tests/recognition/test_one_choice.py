"""One choice of how a person appears, for every page, export and API answer (issue 12):
the same person, hidden, is on none of analytics' top ambassadors, tables, CSV and API, nor
recognition's boards, CSV and API; a pseudonym shows in both apps; the organization's
default applies to whoever did not choose; their own pages still show them."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from portevoix.accounts import services as account_services
from portevoix.accounts.roles import Role
from portevoix.core import clock
from portevoix.recognition import selectors as recognition_selectors
from tests import factories
from tests.analytics import events
from tests.analytics.conftest import at
from tests.api.conftest import ApiClient, token_for
from tests.recognition.conftest import award

pytestmark = pytest.mark.django_db

SPRING = {"range": "custom", "start": "2026-03-01", "end": "2026-04-30"}
API_RANGE = {"start": "2026-03-01", "end": "2026-04-30"}


@pytest.fixture
def viewer(org):
    return factories.make_member(org, Role.ANALYST, email="analyst@acme.test")


@pytest.fixture
def people(org, manager, approver):
    """Four ambassadors with shares, clicks and points; "Hidden" leads everything."""
    item = factories.make_live_item(manager, approver, title="Item one")
    made = {}
    for n, (name, clicks) in enumerate(
        [("Hélène Hidden", 6), ("Nina Named", 4), ("Zacharie Masked", 3), ("Ugo Undecided", 2)]
    ):
        member = factories.make_member(org, email=f"p{n}@acme.test", ambassador=True)
        member.user.full_name = name
        member.user.save(update_fields=["full_name"])
        share = events.share(member, item, "linkedin", at("2026-03-10"), audience=10)
        for k in range(clicks):
            events.click(share.link, at("2026-03-10", 14), f"{n}-{k}")
        award(member, "comment", f"{name}:c", count=clicks, network="", at=clock.now())
        made[name.split()[1]] = member
    account_services.visibility_set(membership=made["Hidden"], visibility="hidden")
    account_services.visibility_set(membership=made["Named"], visibility="name")
    account_services.visibility_set(
        membership=made["Masked"], visibility="pseudonym", pseudonym="Le Renard"
    )
    return made


def client_for(membership, lang: str = "en") -> Client:
    client = Client()
    client.force_login(membership.user)
    client.cookies["django_language"] = lang
    return client


def read_csv(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def as_text(response) -> str:
    assert response.status_code == 200
    return json.dumps(response.json(), ensure_ascii=False)


def every_answer(viewer) -> dict[str, str]:
    """What each page, export and API answer that names people says, as text."""
    client = client_for(viewer)
    api = ApiClient(token_for(viewer))
    dashboard = client.get("/analytics/", SPRING)
    assert dashboard.status_code == 200
    return {
        "analytics top": " | ".join(r.label for r in dashboard.context["top_people"]),
        "analytics page": dashboard.content.decode(),
        "analytics csv": read_csv(client.get("/analytics/export/ambassador.csv", SPRING)),
        "analytics api": as_text(api.get("/analytics/breakdown/ambassador", **API_RANGE)),
        "board page": client.get("/recognition/", {"period": "all"}).content.decode(),
        "board csv": read_csv(client.get("/recognition/export.csv", {"period": "all"})),
        "board api": as_text(api.get("/recognition/board", period="all")),
    }


def test_the_hidden_person_is_on_no_page_export_or_api_answer(people, viewer):
    answers = every_answer(viewer)
    for where, text in answers.items():
        assert "Hélène" not in text and "Hidden" not in text, where
        assert "Nina Named" in text, where
    # Analytics keeps their figures in its table, without name or id.
    rows = list(csv.reader(io.StringIO(answers["analytics csv"])))
    hidden_rows = [r for r in rows if r[1] == "An ambassador who chose not to be named"]
    assert len(hidden_rows) == 1 and hidden_rows[0][0] == ""
    assert str(people["Hidden"].pk) not in [r[0] for r in rows]
    # Recognition's board has the three others only.
    board = recognition_selectors.board(membership=viewer, period="all")
    assert [r.name for r in board] == [
        "Nina Named",
        "Le Renard",
        recognition_selectors.pseudonym_for(people["Undecided"].pk),
    ]


def test_a_pseudonym_shows_in_both_apps(people, viewer):
    answers = every_answer(viewer)
    for where, text in answers.items():
        assert "Le Renard" in text, where
        assert "Zacharie" not in text, where
    assert answers["analytics top"].split(" | ")[:2] == ["Nina Named", "Le Renard"]


def test_the_organization_default_applies_to_who_did_not_choose(people, viewer, admin):
    made_up = recognition_selectors.pseudonym_for(people["Undecided"].pk)
    answers = every_answer(viewer)
    assert all(made_up in text for text in answers.values())  # a pseudonym by default
    account_services.default_visibility_set(actor=admin, visibility="name")
    answers = every_answer(viewer)
    for where, text in answers.items():
        assert "Ugo Undecided" in text and made_up not in text, where
    account_services.default_visibility_set(actor=admin, visibility="hidden")
    for where, text in every_answer(viewer).items():
        assert "Ugo" not in text and made_up not in text, where
        assert "Nina Named" in text, where  # who chose keeps their choice


def test_a_change_of_mind_shows_everywhere_at_once(people, viewer):
    account_services.visibility_set(membership=people["Hidden"], visibility="name")
    for where, text in every_answer(viewer).items():
        assert "Hélène Hidden" in text, where


def test_their_own_pages_still_show_them(people):
    hidden = people["Hidden"]
    client = client_for(hidden)
    mine = client.get("/analytics/me/", SPRING)
    assert mine.status_code == 200 and mine.context["totals"].clicks == 6
    assert "Others do not see you" in mine.content.decode()
    standing = recognition_selectors.standing(membership=hidden, period="all")
    assert (standing.points, standing.rank, standing.visibility) == (30, 1, "hidden")
    french = client_for(hidden, "fr").get("/analytics/me/", SPRING, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Les autres ne vous voient pas" in french.content.decode()


def test_one_form_sets_it_for_both_apps(people, viewer):
    client = client_for(people["Named"])
    response = client.post("/recognition/me/visibility/", {"visibility": "hidden"})
    assert response.status_code == 302
    for where, text in every_answer(viewer).items():
        assert "Nina" not in text, where
    page = client.get("/recognition/me/").content.decode()
    assert "One choice for every page that names people." in page
    french = client_for(people["Named"], "fr").get("/recognition/me/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Un seul choix pour toutes les pages qui nomment des personnes." in (
        french.content.decode()
    )
