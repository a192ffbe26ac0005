"""The approvals queue page (/approvals/): who sees it, what it shows, approving and
requesting changes from it, and its constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portevoix.accounts.roles import Role
from portevoix.content import services
from portevoix.content.models import State, Transition
from tests.content._helpers import login
from tests.factories import make_item, make_member

pytestmark = pytest.mark.django_db

QUEUE = "/approvals/"


def _in_review(author, title="Item", **overrides):
    item = make_item(author, title=title, **overrides)
    return services.item_submit(membership=author, item=item)


def test_the_url_name():
    assert reverse("content:approvals") == QUEUE


def test_an_approver_sees_the_items_oldest_first_with_their_due_date(manager, approver):
    older = _in_review(manager, "Older item")
    newer = _in_review(manager, "Newer item")
    Transition.objects.filter(item=older, action="submit").update(
        at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    services_due = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    type(older).objects.filter(pk=older.pk).update(review_due_at=services_due)  # overdue
    page = login(Client(), approver).get(QUEUE)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Older item") < html.index("Newer item")
    assert "Overdue" in html
    assert f'id="item-{older.pk}"' in html and "is-overdue" in html
    assert reverse("content:approvals_approve", args=[newer.pk]) in html
    assert "csrfmiddlewaretoken" in html
    assert "First approval: no earlier version to compare with." in html


def test_in_french(manager, approver):
    _in_review(manager, "Un élément")
    client = login(Client(), approver)
    html = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Approbations" in html
    assert "Première approbation" in html


def test_a_final_approver_sees_the_items_waiting_for_the_final_signature(
    org, manager, approver, final_approver
):
    org.final_approval_required = True
    org.save()
    item = _in_review(manager, "Needs a final signature")
    services.item_approve(membership=approver, item=item)
    html = login(Client(), final_approver).get(QUEUE).content.decode()
    assert "Needs a final signature" in html
    assert "Final signature" in html
    assert "Needs a final signature" not in login(Client(), approver).get(QUEUE).content.decode()


def test_a_content_manager_and_an_ambassador_are_refused(manager, ambassador):
    assert login(Client(), manager).get(QUEUE).status_code == 403
    assert login(Client(), ambassador).get(QUEUE).status_code == 403


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_empty_queue(approver):
    html = login(Client(), approver).get(QUEUE).content.decode()
    assert "Nothing waits for you." in html


def test_approve_from_the_queue(manager, approver):
    item = _in_review(manager)
    client = login(Client(), approver)
    response = client.post(
        reverse("content:approvals_approve", args=[item.pk]), {f"approve-{item.pk}-comment": "OK"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(QUEUE)
    item.refresh_from_db()
    assert item.state == State.LIVE
    assert item.transitions.filter(action="approve", comment="OK").exists()
    page = client.get(QUEUE).content.decode()
    assert "was recorded" in page
    assert f'id="item-{item.pk}"' not in page


def test_request_changes_from_the_queue_needs_a_comment(manager, approver):
    item = _in_review(manager)
    client = login(Client(), approver)
    url = reverse("content:approvals_request_changes", args=[item.pk])
    response = client.post(url, {f"request_changes-{item.pk}-comment": "  "}, follow=True)
    assert "Say what must change." in response.content.decode()
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW
    client.post(url, {f"request_changes-{item.pk}-comment": "Shorter title, please"})
    item.refresh_from_db()
    assert item.state == State.CHANGES_REQUESTED
    assert item.transitions.get(action="request_changes").comment == "Shorter title, please"


def test_a_too_long_comment_is_refused_with_a_message(manager, approver):
    item = _in_review(manager)
    response = login(Client(), approver).post(
        reverse("content:approvals_approve", args=[item.pk]),
        {f"approve-{item.pk}-comment": "x" * 5001},
        follow=True,
    )
    assert "at most 5000 characters" in response.content.decode()
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW


def test_a_refusal_is_a_clear_message(org, manager):
    both = make_member(org, Role.CONTENT_MANAGER, Role.APPROVER)
    item = _in_review(both, "My own item")
    response = login(Client(), both).post(
        reverse("content:approvals_approve", args=[item.pk]), follow=True
    )
    assert "You cannot approve your own item." in response.content.decode()
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW


def test_a_manager_cannot_approve_from_the_queue(manager):
    item = _in_review(manager)
    other = make_member(manager.organization, Role.CONTENT_MANAGER)
    response = login(Client(), other).post(
        reverse("content:approvals_approve", args=[item.pk]), follow=True
    )
    assert "You are not an approver." in response.content.decode()
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW


def test_an_outsider_gets_404_on_a_foreign_item(manager, outsider):
    item = _in_review(manager)
    outsider_approver = make_member(outsider.organization, Role.APPROVER)
    client = login(Client(), outsider_approver)
    for name in ("content:approvals_approve", "content:approvals_request_changes"):
        assert client.post(reverse(name, args=[item.pk])).status_code == 404
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW


def test_wrong_method(manager, approver):
    item = _in_review(manager)
    client = login(Client(), approver)
    for name in ("content:approvals_approve", "content:approvals_request_changes"):
        assert client.get(reverse(name, args=[item.pk])).status_code == 405
    item.refresh_from_db()
    assert item.state == State.IN_REVIEW


def test_csrf_is_required(manager, approver):
    item = _in_review(manager)
    client = login(Client(enforce_csrf_checks=True), approver)
    assert client.post(reverse("content:approvals_approve", args=[item.pk])).status_code == 403


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(QUEUE).status_code == 200
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_queue(manager, approver):
    client = login(Client(), approver)
    first = _in_review(manager, "One")
    services.item_approve(membership=approver, item=first)  # a snapshot to compare with
    first.refresh_from_db()
    services.item_update(
        membership=manager,
        item=first,
        data=services.ItemData(
            title="One, edited",
            language="fr",
            copies=[services.CopyData("linkedin", "Edited copy")],
        ),
    )
    few = _queries(client)
    # The shell (session, member, roles, the navigation's count), then the queue: its count,
    # the items, their topics, copies and approved snapshots.
    assert few <= 14
    for n in range(6):
        _in_review(manager, f"More {n}")
    assert _queries(client) == few
