"""Moving an item from the calendar page, and the secret iCalendar feed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from portevoix.accounts import services as account_services
from portevoix.accounts.roles import Role
from portevoix.content.models import State
from portevoix.planning.models import CalendarFeedToken
from tests import factories

from .conftest import at

pytestmark = pytest.mark.django_db


def move_url(item) -> str:
    return reverse("planning:move", args=[item.pk])


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_the_move_form_moves_the_item_and_goes_back(client, manager, calendar_data, month):
    item = calendar_data["spanning"]
    client.force_login(manager.user)
    back = reverse("planning:calendar") + f"?view=month&date={month.isoformat()}"
    target = at(month + dt.timedelta(days=20), 10)
    response = client.post(move_url(item), {"publish_at": local(target), "next": back})
    assert response.status_code == 302 and response["Location"] == back
    item.refresh_from_db()
    assert item.publish_at == target
    assert item.state == State.APPROVED


def test_a_refused_move_says_why_and_changes_nothing(client, manager, calendar_data):
    item = calendar_data["spanning"]
    client.force_login(manager.user)
    response = client.post(
        move_url(item),
        {"publish_at": "2001-01-01T09:00", "next": "https://evil.example/"},
        follow=True,
    )
    assert response.redirect_chain[0][0] == reverse("planning:calendar")  # no open redirect
    assert "in the past" in response.content.decode()
    before = item.publish_at
    item.refresh_from_db()
    assert item.publish_at == before


def test_move_refusals_by_role_organization_and_method(
    client, manager, approver, outsider, ambassador, calendar_data
):
    item = calendar_data["spanning"]
    data = {"publish_at": "2099-01-01T09:00"}
    client.force_login(outsider.user)
    assert client.post(move_url(item), data).status_code == 404  # another organization's
    client.force_login(ambassador.user)
    assert client.post(move_url(item), data).status_code == 403
    client.force_login(approver.user)  # sees the calendar, may not edit
    assert client.post(move_url(item), data).status_code == 403
    client.force_login(manager.user)
    assert client.get(move_url(item)).status_code == 405
    item.refresh_from_db()
    assert item.publish_at.year != 2099


def make_feed(client, membership) -> str:
    client.force_login(membership.user)
    response = client.post(reverse("planning:feed_create"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    url = response.context["feed_url"]
    assert url.endswith(".ics")
    client.logout()
    return url.split("testserver", 1)[1]


def test_the_feed_lists_the_calendar_as_valid_icalendar(client, manager, calendar_data):
    path = make_feed(client, manager)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = Calendar.from_ical(response.content)
    events = {str(e["uid"]).split("@")[0]: e for e in parsed.walk("VEVENT")}
    spanning = calendar_data["spanning"]
    assert f"item-{spanning.pk}" in events
    assert events[f"item-{spanning.pk}"].decoded("dtstart") == spanning.publish_at
    assert events[f"item-{spanning.pk}"].decoded("dtend") == spanning.expire_at
    assert f"post-{calendar_data['post'].pk}" in events
    assert f"event-{calendar_data['event'].pk}" in events
    campaign = events[f"campaign-{calendar_data['campaign'].pk}"]
    assert isinstance(campaign.decoded("dtstart"), dt.date)
    assert (campaign.decoded("dtend") - campaign.decoded("dtstart")).days == 3


def test_the_secret_is_not_stored_and_a_wrong_token_is_404(client, manager):
    path = make_feed(client, manager)
    secret = path.rsplit("/", 1)[1].removesuffix(".ics")
    row = CalendarFeedToken.objects.get()
    assert secret not in (row.token_hash, row.prefix) and len(row.token_hash) == 64
    assert client.get(path.replace(secret, secret[:-2] + "xx")).status_code == 404
    assert client.get("/calendar/ical/nothing.ics").status_code == 404


def test_revoked_or_regenerated_addresses_stop(client, manager):
    first = make_feed(client, manager)
    second = make_feed(client, manager)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    client.force_login(manager.user)
    assert client.get(reverse("planning:feed_revoke")).status_code == 405
    response = client.post(reverse("planning:feed_revoke"))
    assert response.status_code == 302
    client.logout()
    assert client.get(second).status_code == 404


def test_the_feed_stops_when_the_member_leaves_or_loses_the_role(client, org, admin):
    analyst = factories.make_member(org, Role.ANALYST)
    path = make_feed(client, analyst)
    assert client.get(path).status_code == 200
    account_services.membership_update(actor=admin, membership=analyst, roles=[])
    assert client.get(path).status_code == 404
    account_services.membership_update(actor=admin, membership=analyst, roles=[Role.ANALYST])
    assert client.get(path).status_code == 200
    account_services.membership_update(actor=admin, membership=analyst, is_active=False)
    assert client.get(path).status_code == 404


def test_an_ambassador_cannot_make_a_feed(client, ambassador):
    client.force_login(ambassador.user)
    assert client.post(reverse("planning:feed_create")).status_code == 403
    assert not CalendarFeedToken.objects.exists()


def test_the_feed_secret_is_masked_in_logs():
    from portevoix.core.accesslog import mask_path

    assert mask_path('"GET /calendar/ical/s3cr3t-Token_x.ics HTTP/1.1"') == (
        '"GET /calendar/ical/*** HTTP/1.1"'
    )
