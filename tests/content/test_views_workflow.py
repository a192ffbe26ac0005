"""The content workflow through its pages (submit, approve, comment, archive), and topics and
campaigns."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from portevoix.content import services
from portevoix.content.models import Campaign, State, Topic
from tests.content._helpers import login
from tests.factories import make_item

pytestmark = pytest.mark.django_db


# --- The workflow through POST


def test_submit_approve_and_history(client, manager, approver):
    item = make_item(manager)
    manager_client = login(Client(), manager)
    detail = manager_client.get(reverse("content:item", args=[item.pk])).content.decode()
    assert reverse("content:item_submit", args=[item.pk]) in detail
    assert reverse("content:item_approve", args=[item.pk]) not in detail  # own item
    response = manager_client.post(
        reverse("content:item_submit", args=[item.pk]), {"submit-comment": "Prêt"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW

    approver_client = login(Client(), approver)
    detail = approver_client.get(reverse("content:item", args=[item.pk])).content.decode()
    assert reverse("content:item_approve", args=[item.pk]) in detail
    assert reverse("content:item_submit", args=[item.pk]) not in detail
    response = approver_client.post(
        reverse("content:item_approve", args=[item.pk]), {"approve-comment": "Parfait"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.LIVE
    page = approver_client.get(response["Location"]).content.decode()
    assert "Your approval was recorded." in page
    assert "Parfait" in page and "Prêt" in page  # history comments
    assert approver.user.display_name in page  # in approvals and history
    assert '<span class="badge badge-live">Live</span>' in page


def test_request_changes_needs_a_comment(client, manager, approver):
    item = make_item(manager)
    services.item_submit(membership=manager, item=item)
    login(client, approver)
    url = reverse("content:item_request_changes", args=[item.pk])
    response = client.post(url, {"request_changes-comment": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_request_changes-comment_error"><li>A comment is required.' in html
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW
    response = client.post(url, {"request_changes-comment": "Raccourcir le titre"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == State.CHANGES_REQUESTED
    last = item.transitions.last()
    assert last is not None and last.comment == "Raccourcir le titre"


def test_comment_archive_and_restore(client, manager):
    item = make_item(manager)
    login(client, manager)
    client.post(reverse("content:item_comment", args=[item.pk]), {"comment-comment": "Note"})
    assert item.transitions.filter(action="comment", comment="Note").exists()
    client.post(reverse("content:item_archive", args=[item.pk]), {"archive-comment": "Obsolète"})
    item.refresh_from_db()
    assert item.state == State.ARCHIVED
    detail = client.get(reverse("content:item", args=[item.pk])).content.decode()
    assert reverse("content:item_restore", args=[item.pk]) in detail
    assert reverse("content:item_edit", args=[item.pk]) not in detail
    client.post(reverse("content:item_restore", args=[item.pk]), {})
    item.refresh_from_db()
    assert item.state == State.DRAFT


def test_conflicting_action_shows_the_reason(client, manager):
    item = make_item(manager)
    services.item_archive(membership=manager, item=item)
    response = login(client, manager).post(reverse("content:item_archive", args=[item.pk]), {})
    assert response.status_code == 409
    assert b"already archived" in response.content


def test_submit_without_copy_is_refused(client, manager):
    item = make_item(manager, copies=[])
    response = login(client, manager).post(reverse("content:item_submit", args=[item.pk]), {})
    assert response.status_code == 400
    assert b"Add at least one network copy before submitting." in response.content


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("ambassador", "approve"),
        ("approver", "submit"),
        ("member", "archive"),
        ("approver", "archive"),
        ("ambassador", "comment"),
    ],
)
def test_workflow_actions_refused_without_the_role(client, request, manager, who, action):
    item = make_item(manager)
    if action == "approve":
        services.item_submit(membership=manager, item=item)
    item.refresh_from_db()
    before = (item.state, item.transitions.count())
    login(client, request.getfixturevalue(who))
    response = client.post(
        reverse(f"content:item_{action}", args=[item.pk]), {f"{action}-comment": "x"}
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert (item.state, item.transitions.count()) == before


def test_actions_need_post(client, manager):
    item = make_item(manager)
    response = login(client, manager).get(reverse("content:item_submit", args=[item.pk]))
    assert response.status_code == 405


# --- Topics and campaigns


def test_topic_and_campaign_creation(client, manager):
    login(client, manager)
    response = client.post(reverse("content:topics"), {"name": "Innovation"})
    assert response.status_code == 302
    assert Topic.objects.filter(name="Innovation", organization=manager.organization).exists()
    duplicate = client.post(reverse("content:topics"), {"name": "innovation"})
    assert duplicate.status_code == 400
    assert 'id="id_name_error"><li>Already exists.' in duplicate.content.decode()

    response = client.post(
        reverse("content:campaigns"),
        {
            "name": "Salon 2030",
            "description": "Stand B12",
            "starts_on": "2030-03-01",
            "ends_on": "2030-03-03",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(name="Salon 2030")
    assert campaign.ends_on == dt.date(2030, 3, 3)
    bad = client.post(
        reverse("content:campaigns"),
        {"name": "À l'envers", "starts_on": "2030-03-05", "ends_on": "2030-03-01"},
    )
    assert bad.status_code == 400
    assert 'id="id_ends_on_error"' in bad.content.decode()
    page = client.get(reverse("content:campaigns")).content.decode()
    assert "Salon 2030" in page and "Stand B12" in page
