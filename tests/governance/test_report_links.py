"""« Signaler » / Report (issue 11, section 6): the charter tells members to use it, so it
exists on the feed card, the item page and the organization's shares, pre-filled with what
is reported (checked against the organization: a foreign id is a 404), and it feeds the
moderation queue."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.accounts.roles import Role
from portevoix.governance.models import CaseSource, CaseStatus, ModerationCase
from portevoix.sharing import services as sharing_services
from tests import factories

pytestmark = pytest.mark.django_db

REPORT = reverse("governance:report")


@pytest.fixture
def live_item(manager, approver):
    return factories.make_live_item(manager, approver, title="Résultats du trimestre")


@pytest.fixture
def share(ambassador, live_item):
    return sharing_services.share_open(
        membership=ambassador, item_id=live_item.pk, network="x", text="Nos chiffres : +12 %"
    ).share


@pytest.fixture
def analyst(org):
    return factories.make_member(org, Role.ANALYST, email="analyst@acme.test")


def _as(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def test_the_feed_card_has_a_discreet_report_link(ambassador, live_item):
    page = _as(ambassador).get(reverse("content:feed")).content.decode()
    assert f'class="report-link" href="{REPORT}?item={live_item.pk}"' in page
    fr = _as(ambassador).get(reverse("content:feed"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ">Signaler<" in fr


def test_the_item_page_has_the_report_link(manager, live_item):
    page = _as(manager).get(reverse("content:item", args=[live_item.pk])).content.decode()
    assert f'href="{REPORT}?item={live_item.pk}"' in page


def test_the_organization_shares_have_the_report_link(analyst, share):
    page = _as(analyst).get(reverse("sharing:org_shares")).content.decode()
    assert f'href="{REPORT}?share={share.pk}"' in page


def test_report_an_item_from_its_link_into_the_queue(ambassador, live_item, org):
    client = _as(ambassador)
    form = client.get(f"{REPORT}?item={live_item.pk}")
    assert form.status_code == 200 and "Résultats du trimestre" in form.content.decode()
    response = client.post(REPORT, {"item": live_item.pk, "reason": "Un chiffre est faux"})
    assert response.status_code == 302 and response["Location"] == reverse("governance:report_done")
    case = ModerationCase.objects.get(organization=org)
    assert (case.source, case.status, case.object_type, case.object_id) == (
        CaseSource.REPORT,
        CaseStatus.OPEN,
        "content.item",
        str(live_item.pk),
    )
    assert case.reported_by == ambassador and case.flag_reason == "Un chiffre est faux"


def test_report_a_colleagues_share_into_the_queue(analyst, ambassador, share, live_item, org):
    client = _as(analyst)
    form = client.get(f"{REPORT}?share={share.pk}").content.decode()
    assert "Résultats du trimestre" in form and ambassador.user.display_name in form
    assert "Nos chiffres : +12 %" in form
    response = client.post(REPORT, {"share": share.pk, "reason": "Ton déplacé"})
    assert response.status_code == 302
    case = ModerationCase.objects.get(organization=org)
    assert (case.object_type, case.object_id) == ("sharing.share", str(share.pk))
    assert case.author == ambassador and case.reported_by == analyst
    assert case.text.startswith("Nos chiffres : +12 %")
    # Reporting it again while open: the same case.
    client.post(REPORT, {"share": share.pk, "reason": "encore"})
    assert ModerationCase.objects.filter(organization=org).count() == 1
    # The community manager finds it in the queue.
    community = factories.make_member(org, Role.COMMUNITY_MANAGER, email="cm@acme.test")
    queue = _as(community).get(reverse("governance:queue")).content.decode()
    assert "Ton déplacé" in queue or "Nos chiffres" in queue


def test_an_ambassador_reports_their_own_share_but_not_a_colleagues(org, ambassador, share):
    assert _as(ambassador).get(f"{REPORT}?share={share.pk}").status_code == 200
    colleague = factories.make_member(org, email="colleague@acme.test", ambassador=True)
    # Ambassadors do not see each other's shares in Portevoix: they report the item.
    assert _as(colleague).get(f"{REPORT}?share={share.pk}").status_code == 404
    assert _as(colleague).post(REPORT, {"share": share.pk, "reason": "x"}).status_code == 404
    assert not ModerationCase.objects.exists()


def test_an_outsider_gets_404(outsider, share, live_item):
    client = _as(outsider)
    assert client.get(f"{REPORT}?share={share.pk}").status_code == 404
    assert client.get(f"{REPORT}?item={live_item.pk}").status_code == 404
    assert client.post(REPORT, {"share": share.pk, "reason": "x"}).status_code == 404
    assert client.post(REPORT, {"item": live_item.pk, "reason": "x"}).status_code == 404
    assert not ModerationCase.objects.exists()


def test_wrong_method_and_missing_target(ambassador, live_item):
    client = _as(ambassador)
    assert client.put(REPORT).status_code == 405
    assert client.delete(f"{REPORT}?item={live_item.pk}").status_code == 405
    response = client.post(REPORT, {"reason": "Quelque chose"})
    assert response.status_code == 400
    assert "Say which content item." in response.content.decode()
    assert not ModerationCase.objects.exists()


def test_anonymous_is_sent_to_login(live_item):
    response = Client().get(f"{REPORT}?item={live_item.pk}")
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
