"""Where /l/<code> sends a visitor: only ever the link of a live item, with UTM merged."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import override_settings

from portevoix.content import services as content_services
from portevoix.content.models import ContentItem
from portevoix.core import clock
from portevoix.sharing import selectors, services
from portevoix.sharing.models import TrackedLink, TrackingSettings
from portevoix.sharing.selectors import Destination
from tests.factories import make_item, make_live_item

pytestmark = pytest.mark.django_db


def _link(ambassador, item, network="linkedin") -> TrackedLink:
    return services.link_get_or_create(membership=ambassador, item=item, network=network)


def _destination(code: str) -> Destination:
    """The live destination of `code` (there is one)."""
    destination = selectors.destination_for_code(code)
    assert destination is not None
    return destination


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def test_a_live_items_destination_has_the_utm_parameters(ambassador, manager, approver, org):
    campaign = content_services.campaign_create(membership=manager, name="Salon de Lyon")
    item = make_live_item(
        manager, approver, campaign_id=campaign.pk, link="https://example.org/a?ref=x#top"
    )
    link = _link(ambassador, item)
    destination = selectors.destination_for_code(link.code)
    assert destination is not None
    assert destination.organization_id == org.pk
    assert destination.link_id == link.pk
    assert destination.item_id == item.pk
    assert destination.membership_id == ambassador.pk
    assert destination.network == "linkedin"
    assert destination.campaign_id == campaign.pk
    assert destination.fallback_url == ""
    pseudonym = selectors.ambassador_pseudonym(ambassador.pk)
    assert destination.url_with_utm == (
        "https://example.org/a?ref=x&utm_source=linkedin&utm_medium=employee_advocacy"
        f"&utm_campaign=salon-de-lyon&utm_content={pseudonym}#top"
    )
    # A keyed hash, not the id: 10 hex characters that change with the secret key. (Its
    # characters may happen to contain the id's digits: that says nothing.)
    assert len(pseudonym) == 10 and int(pseudonym, 16) >= 0
    assert pseudonym != str(ambassador.pk)
    with override_settings(SECRET_KEY="another-secret-key-" + "z" * 40):
        assert selectors.ambassador_pseudonym(ambassador.pk) != pseudonym


def test_without_a_campaign_the_campaign_parameter_is_left_out(ambassador, item):
    url = _destination(_link(ambassador, item, "x").code).url_with_utm
    assert _query(url) == {
        "utm_source": "x",
        "utm_medium": "employee_advocacy",
        "utm_content": selectors.ambassador_pseudonym(ambassador.pk),
    }


def test_the_organization_can_change_or_turn_off_the_utm_parameters(ambassador, admin, item):
    data = services.TrackingData(
        utm_enabled=True,
        utm_source="pv-{network}",
        utm_medium="social",
        utm_campaign="item-{item}",
        utm_content="",
        fallback_url="https://example.org/",
        attribution_days=30,
    )
    services.tracking_settings_update(actor=admin, data=data)
    code = _link(ambassador, item).code
    url = _destination(code).url_with_utm
    assert _query(url) == {
        "utm_source": "pv-linkedin",
        "utm_medium": "social",
        "utm_campaign": f"item-{item.pk}",
    }
    data.utm_enabled = False
    services.tracking_settings_update(actor=admin, data=data)
    assert _destination(code).url_with_utm == "https://example.org/jobs/42"


def test_destination_is_one_query(ambassador, item, django_assert_num_queries):
    code = _link(ambassador, item).code
    with django_assert_num_queries(1):
        assert selectors.destination_for_code(code) is not None


@pytest.mark.parametrize("state", ["draft", "scheduled", "expired", "archived", "back_to_review"])
def test_no_destination_unless_the_item_is_live(ambassador, manager, approver, admin, state):
    now = clock.now()
    item = make_live_item(manager, approver)
    code = _link(ambassador, item).code
    services.tracking_settings_update(
        actor=admin,
        data=services.TrackingData(
            utm_enabled=True,
            utm_source="{network}",
            utm_medium="employee_advocacy",
            utm_campaign="{campaign}",
            utm_content="{ambassador}",
            fallback_url="https://example.org/more",
            attribution_days=30,
        ),
    )
    if state == "draft":
        ContentItem.objects.filter(pk=item.pk).update(state="draft")
    elif state == "scheduled":
        ContentItem.objects.filter(pk=item.pk).update(publish_at=now + dt.timedelta(hours=1))
    elif state == "expired":
        ContentItem.objects.filter(pk=item.pk).update(expire_at=now - dt.timedelta(seconds=1))
    elif state == "archived":
        content_services.item_archive(membership=manager, item=item)
    else:
        item.refresh_from_db()
        data = content_services.ItemData(title="Changed", language="fr", link=item.link, copies=[])
        content_services.item_update(membership=manager, item=item, data=data)
    assert selectors.destination_for_code(code) is None
    assert selectors.fallback_for_code(code) == "https://example.org/more"


def test_the_fallback_is_also_given_with_a_live_destination(ambassador, admin, item):
    TrackingSettings.objects.create(
        organization_id=item.organization_id, fallback_url="https://example.org/fallback"
    )
    code = _link(ambassador, item).code
    assert _destination(code).fallback_url == "https://example.org/fallback"


@pytest.mark.parametrize("code", ["", "nope", "Ab3xYz9", "../../etc", "a" * 40, "Ab3 xYz"])
def test_unknown_or_malformed_codes_have_no_destination(code, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert selectors.destination_for_code(code) is None
    with django_assert_max_num_queries(1):
        assert selectors.fallback_for_code(code) is None


def test_an_item_without_link_has_no_destination(ambassador, manager, approver):
    copies = [content_services.CopyData("x", "Sans lien")]
    item = make_live_item(manager, approver, link="", copies=copies)
    assert selectors.destination_for_code(_link(ambassador, item).code) is None


@pytest.mark.parametrize(
    "bad",
    ["javascript:alert(document.cookie)", "data:text/html,hi", "//evil.example/", "ftp://x.org/"],
)
def test_never_a_destination_that_is_not_http(ambassador, item, bad):
    code = _link(ambassador, item).code
    ContentItem.objects.filter(pk=item.pk).update(link=bad)
    assert selectors.destination_for_code(code) is None


def test_a_bad_stored_fallback_is_never_given(ambassador, item, manager):
    code = _link(ambassador, item).code
    TrackingSettings.objects.create(
        organization_id=item.organization_id, fallback_url="javascript:alert(1)"
    )
    content_services.item_archive(membership=manager, item=item)
    assert selectors.fallback_for_code(code) is None


def test_a_draft_items_link_made_directly_has_no_destination(ambassador, manager):
    item = make_item(manager)
    link = TrackedLink.objects.create(
        organization_id=item.organization_id,
        code="Dr4ft00",
        membership=ambassador,
        item=item,
        network="x",
    )
    assert selectors.destination_for_code(link.code) is None
