from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portevoix.content import services as content_services
from portevoix.training import services as training_services
from tests import factories
from tests.publishing._scheduling_helpers import make_post


def month_ahead(months: int = 2) -> dt.date:
    """The first day of a month safely in the future."""
    today = timezone.localdate()
    year, month = divmod(today.month - 1 + months, 12)
    return dt.date(today.year + year, month + 1, 1)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def month() -> dt.date:
    return month_ahead()


@pytest.fixture
def calendar_data(org, admin, manager, approver, month):
    """A month with an item spanning three days, an item in review, a campaign, an event and
    a scheduled post."""
    campaign = content_services.campaign_create(
        membership=manager,
        name="Salon de l'emploi",
        starts_on=month + dt.timedelta(days=9),
        ends_on=month + dt.timedelta(days=11),
    )
    spanning = factories.make_live_item(
        manager,
        approver,
        title="Trois jours de salon",
        publish_at=at(month + dt.timedelta(days=4)),
        expire_at=at(month + dt.timedelta(days=6), 18),
        campaign_id=campaign.pk,
    )
    review = factories.make_item(
        manager, title="Article en relecture", publish_at=at(month + dt.timedelta(days=14))
    )
    content_services.item_submit(membership=manager, item=review)
    event = training_services.event_create(
        actor=admin,
        data=training_services.EventData(
            title="Atelier LinkedIn",
            starts_at=at(month + dt.timedelta(days=19), 14),
            ends_at=at(month + dt.timedelta(days=19), 15),
            capacity=10,
            place="Lyon",
        ),
    )
    ambassador = factories.make_member(org, ambassador=True)
    post = make_post(ambassador, spanning, at(month + dt.timedelta(days=5), 11), network="x")
    return {
        "campaign": campaign,
        "spanning": spanning,
        "review": review,
        "event": event,
        "post": post,
        "ambassador": ambassador,
    }
