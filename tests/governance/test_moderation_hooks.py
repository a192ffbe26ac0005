"""Moderation reaches the reported objects through the hooks of the apps that own them
(settings.MODERATION_REPORTABLE_ITEM, settings.MODERATION_REMOVERS): governance imports
neither content nor sharing. The real hooks, end to end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portevoix.content.models import State
from portevoix.core.errors import NotFound
from portevoix.governance import gates, selectors, services
from portevoix.governance.models import CaseStatus, ModerationCase
from portevoix.sharing.models import Share
from tests import factories
from tests.analytics import events

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_item(manager, approver):
    return factories.make_live_item(manager, approver)


def flag(org, author, object_id, source):
    gates.moderation_flag(
        organization=org, author=author, text="x", reason="y", source=source, object_id=object_id
    )
    return ModerationCase.objects.filter(organization=org).order_by("-pk").first()


def test_the_member_reports_an_item_of_their_feed(ambassador, live_item):
    assert selectors.reportable_item(membership=ambassador, item_id=live_item.pk) == live_item
    case = services.moderation_report(membership=ambassador, item_id=live_item.pk, reason="No")
    assert (case.object_type, case.object_id) == ("content.item", str(live_item.pk))
    assert case.author is not None  # the author's membership, found
    assert case.author.user_id == live_item.author_id


def test_an_outsider_cannot_report_the_item(live_item):
    outsider = factories.make_member(factories.make_org(), ambassador=True)
    with pytest.raises(NotFound):
        selectors.reportable_item(membership=outsider, item_id=live_item.pk)
    with pytest.raises(NotFound):
        services.moderation_report(membership=outsider, item_id=live_item.pk, reason="No")


def test_a_draft_is_not_reportable_from_the_feed(ambassador, manager):
    draft = factories.make_item(manager)
    with pytest.raises(NotFound):
        selectors.reportable_item(membership=ambassador, item_id=draft.pk)


def test_removing_a_share_marks_it_removed(org, community, ambassador, live_item):
    share = events.share(ambassador, live_item, "linkedin", timezone.now() - dt.timedelta(hours=1))
    case = flag(org, ambassador, share.pk, "sharing.share")
    services.moderation_decide(actor=community, case=case, decision="remove", reason="Off")
    share.refresh_from_db()
    assert share.removed_at is not None
    case.refresh_from_db()
    assert (case.status, case.removal_note) == (CaseStatus.REMOVED, "The share was removed.")


def test_removing_an_archived_or_missing_item(org, community, ambassador, manager, live_item):
    live_item.state = State.ARCHIVED
    live_item.save(update_fields=["state"])
    archived = flag(org, ambassador, live_item.pk, "content.item")
    services.moderation_decide(actor=community, case=archived, decision="remove", reason="Off")
    archived.refresh_from_db()
    assert archived.removal_note == "The item was already archived."
    missing = flag(org, ambassador, 999_999, "content.item")
    services.moderation_decide(actor=community, case=missing, decision="remove", reason="Off")
    missing.refresh_from_db()
    assert missing.removal_note == "The item no longer exists."


def test_an_object_without_a_remover_is_only_marked(org, community, ambassador):
    case = flag(org, ambassador, 7, "ideas.suggestion")
    services.moderation_decide(actor=community, case=case, decision="remove", reason="Off")
    case.refresh_from_db()
    assert (case.status, case.removal_note) == (CaseStatus.REMOVED, "Marked as removed.")


def test_another_organizations_share_is_not_removed(org, community, live_item):
    other_org = factories.make_org()
    stranger = factories.make_member(other_org, ambassador=True)
    other_item = factories.make_live_item(
        factories.make_member(other_org, "content_manager"),
        factories.make_member(other_org, "approver"),
    )
    share = events.share(stranger, other_item, "x", timezone.now() - dt.timedelta(hours=1))
    case = flag(org, community, share.pk, "sharing.share")
    with pytest.raises(NotFound):
        services.moderation_decide(actor=community, case=case, decision="remove", reason="Off")
    assert Share.objects.get(pk=share.pk).removed_at is None
