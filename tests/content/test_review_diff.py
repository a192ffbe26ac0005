"""The reviewers' diff: the snapshot written on approval (ItemRevision) and what changed
since, field by field and word by word, shown escaped on the queue and on the item page."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.content import review, services
from portevoix.content.diff import Segment, snapshot_diff, word_diff
from portevoix.content.models import Campaign, ItemRevision, Topic
from tests.content._helpers import login
from tests.factories import item_data, make_item

pytestmark = pytest.mark.django_db


def _approved(manager, approver, **overrides):
    item = make_item(manager, **overrides)
    services.item_submit(membership=manager, item=item)
    return services.item_approve(membership=approver, item=item)


def _edit(manager, item, **changes):
    data = dataclasses.replace(item_data(), **changes)
    return services.item_update(membership=manager, item=item, data=data)


def test_word_diff():
    assert word_diff("We hire engineers today", "We hire designers today") == [
        Segment("same", "We hire "),
        Segment("del", "engineers"),
        Segment("ins", "designers"),
        Segment("same", " today"),
    ]
    assert word_diff("", "New") == [Segment("ins", "New")]


def test_first_approval_has_no_earlier_version():
    assert snapshot_diff(None, {"title": "x"}).first


def test_approval_keeps_a_snapshot_of_the_revision(manager, approver):
    item = _approved(manager, approver, title="Launch")
    snapshot = ItemRevision.objects.get(item=item, revision=item.revision)
    assert snapshot.snapshot["title"] == "Launch"
    assert [c["network"] for c in snapshot.snapshot["copies"]] == ["linkedin", "x"]
    assert snapshot.approved_at is not None


def test_no_snapshot_until_the_rule_is_met(org, manager, approver):
    org.approvals_required = 2
    org.save()
    item = make_item(manager)
    services.item_submit(membership=manager, item=item)
    services.item_approve(membership=approver, item=item)
    assert not ItemRevision.objects.filter(item=item).exists()


def test_the_diff_of_every_field(org, manager, approver):
    campaign = Campaign.objects.create(organization=org, name="Spring", slug="spring")
    topic = Topic.objects.create(organization=org, name="Jobs", slug="jobs")
    item = _approved(manager, approver, title="We hire engineers", body="Join us.")
    publish = dt.datetime(2030, 5, 1, 9, tzinfo=dt.UTC)
    _edit(
        manager,
        item,
        title="We hire designers",
        body="Join us in Lyon.",
        link="https://example.org/jobs/43",
        publish_at=publish,
        expire_at=publish + dt.timedelta(days=30),
        campaign_id=campaign.pk,
        topic_ids=[topic.pk],
        copies=[
            services.CopyData("linkedin", "We hire designers! https://example.org/jobs/43"),
            services.CopyData("linkedin", "A second LinkedIn text"),
        ],
    )
    item = review.queue_item(membership=approver, pk=item.pk)
    diff = review.item_review_diff(item=item)
    assert not diff.first and diff.base_revision == 1
    changed = {change.key: change for change in diff.changes}
    assert list(changed) == [
        "title",
        "body",
        "link",
        "publish_at",
        "expire_at",
        "campaign",
        "topics",
        "copy:linkedin:1",
        "copy:linkedin:2",
        "copy:x:1",
    ]
    assert Segment("del", "engineers") in changed["title"].segments
    assert Segment("ins", "designers") in changed["title"].segments
    assert changed["link"].after == "https://example.org/jobs/43"
    assert changed["publish_at"].before == "" and changed["publish_at"].after == publish
    assert changed["campaign"].after == "Spring"
    assert changed["topics"].after == "Jobs"
    assert changed["copy:linkedin:2"].label == "Copy for LinkedIn (variant 2)"
    assert changed["copy:x:1"].segments[0].kind == "del"  # the X copy is gone


def test_an_unchanged_field_is_not_listed(manager, approver):
    item = _approved(manager, approver)
    _edit(manager, item, title="Another title")
    item = review.queue_item(membership=approver, pk=item.pk)
    assert [c.key for c in review.item_review_diff(item=item).changes] == ["title"]


def test_the_diff_is_shown_escaped_on_the_queue_and_the_item_page(manager, approver):
    item = _approved(manager, approver, title="Plain title")
    _edit(manager, item, title="<script>alert(1)</script> title")
    client = login(Client(), approver)
    for url in (reverse("content:approvals"), reverse("content:item", args=[item.pk])):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in html
        assert "<del>Plain</del>" in html
        assert "Changes since the approved version 1" in html


def test_the_item_page_of_a_first_submission(manager, approver):
    item = make_item(manager)
    services.item_submit(membership=manager, item=item)
    html = login(Client(), approver).get(reverse("content:item", args=[item.pk])).content.decode()
    assert "First approval: no earlier version to compare with." in html
