"""The review due date, the approvers' reminder (once per item and day), and the author's
emails on approval and on changes requested (through the queue, after the commit, in the
author's language)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portevoix.accounts.roles import Role
from portevoix.content import services
from portevoix.content.models import ContentItem, ReviewEmail
from portevoix.content.services import approvals as review_services
from portevoix.core import clock
from portevoix.core.errors import DomainError
from tests.content._helpers import login
from tests.factories import make_item, make_member

pytestmark = pytest.mark.django_db


def _submitted(author, **kwargs):
    return services.item_submit(membership=author, item=make_item(author), **kwargs)


# --- The due date


def test_submit_sets_the_due_date_from_the_organization(org, manager):
    org.review_days = 3
    org.save()
    before = clock.now()
    item = _submitted(manager)
    assert before + dt.timedelta(days=3) <= item.review_due_at <= clock.now() + dt.timedelta(3)


def test_the_author_may_choose_the_due_date(manager):
    due = clock.now() + dt.timedelta(hours=5)
    assert _submitted(manager, review_due_at=due).review_due_at == due


def test_a_due_date_in_the_past_is_refused(manager):
    item = make_item(manager)
    with pytest.raises(DomainError) as exc:
        services.item_submit(
            membership=manager, item=item, review_due_at=clock.now() - dt.timedelta(hours=1)
        )
    assert "review_due_at" in exc.value.field_errors
    item.refresh_from_db()
    assert item.state == "draft"


def test_the_due_date_ends_with_the_review(manager, approver):
    item = _submitted(manager)
    assert services.item_approve(membership=approver, item=item).review_due_at is None
    other = _submitted(manager)
    assert (
        services.item_request_changes(membership=approver, item=other, comment="No").review_due_at
        is None
    )


# --- The approvers' reminder


def _due_in(item, delta):
    ContentItem.objects.filter(pk=item.pk).update(review_due_at=clock.now() + delta)


def test_reminders_go_once_a_day_to_each_approver_with_due_items(org, manager, approver):
    second = make_member(org, Role.FINAL_APPROVER)
    overdue = _submitted(manager)
    soon = _submitted(manager)
    later = _submitted(manager)
    _due_in(overdue, -dt.timedelta(hours=2))
    _due_in(soon, dt.timedelta(hours=20))
    _due_in(later, dt.timedelta(days=3))
    mail.outbox.clear()
    assert review_services.review_reminders_send() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([approver.user.email, second.user.email])
    body = mail.outbox[0].body
    assert overdue.title in body and "/approvals/" in body
    assert ReviewEmail.objects.filter(kind="reminder").count() == 4  # 2 items x 2 approvers
    # The same day again: nothing more.
    assert review_services.review_reminders_send() == 0
    assert len(mail.outbox) == 2
    # The next day: again.
    tomorrow = clock.now() + dt.timedelta(days=1)
    assert review_services.review_reminders_send(now=tomorrow) == 2


def test_no_reminder_for_an_approved_item_nor_to_its_author_nor_a_manager(org, manager, approver):
    item = _submitted(manager)
    _due_in(item, -dt.timedelta(hours=1))
    services.item_approve(membership=approver, item=item)
    ContentItem.objects.filter(pk=item.pk).update(review_due_at=clock.now())
    mail.outbox.clear()
    assert review_services.review_reminders_send() == 0
    assert mail.outbox == []


def test_the_reminder_is_in_the_approvers_language(manager, approver):
    approver.user.language = "fr"
    approver.user.save()
    _due_in(_submitted(manager), dt.timedelta(hours=1))
    mail.outbox.clear()
    review_services.review_reminders_send()
    assert "attend votre approbation" in mail.outbox[0].subject


def test_the_periodic_task_is_scheduled():
    from config import schedule

    assert schedule.content_review_reminders.call_local() == 0


# --- The author's emails


def test_changes_requested_emails_the_author_after_the_commit(
    manager, approver, django_capture_on_commit_callbacks
):
    item = _submitted(manager)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.item_request_changes(membership=approver, item=item, comment="Fix the link")
    assert mail.outbox == []  # nothing inside the transaction
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [manager.user.email]
    assert "Fix the link" in message.body
    assert item.title in message.subject


def test_approval_emails_the_author_once(manager, approver, django_capture_on_commit_callbacks):
    item = _submitted(manager)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.item_approve(membership=approver, item=item)
    assert len(mail.outbox) == 1
    transition = item.transitions.get(action="approve")
    # A retry of the task sends nothing more.
    assert review_services.review_outcome_email_send(transition_id=transition.pk) is False
    assert len(mail.outbox) == 1


def test_no_email_for_one_approval_among_several(
    org, manager, approver, django_capture_on_commit_callbacks
):
    org.approvals_required = 2
    org.save()
    item = _submitted(manager)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.item_approve(membership=approver, item=item)
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("language", "approved", "changes"),
    [("fr", "Approuvé", "Modifications demandées"), ("en", "Approved", "Changes requested")],
)
def test_the_emails_in_the_authors_language(
    manager, approver, django_capture_on_commit_callbacks, language, approved, changes
):
    manager.user.language = language
    manager.user.save()
    first, second = _submitted(manager), _submitted(manager)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.item_approve(membership=approver, item=first)
        services.item_request_changes(membership=approver, item=second, comment="Plus court")
    assert mail.outbox[0].subject.startswith(approved)
    assert mail.outbox[1].subject.startswith(changes)


# --- The author's due date, on the item page


def test_the_author_picks_the_review_day_when_submitting(manager):
    item = make_item(manager)
    author = login(Client(), manager)
    page = author.get(reverse("content:item", args=[item.pk])).content.decode()
    assert 'name="submit-review_due_on"' in page
    assert "Leave empty: the approvers have 2 days." in page
    day = (clock.now() + dt.timedelta(days=5)).date()
    response = author.post(
        reverse("content:item_submit", args=[item.pk]),
        {"submit-comment": "", "submit-review_due_on": day.isoformat()},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == "in_review"
    assert item.review_due_at is not None
    local = timezone.localtime(item.review_due_at)
    assert (local.date(), local.hour) == (day, 18)


def test_a_past_review_day_is_refused_next_to_the_field(manager):
    item = make_item(manager)
    response = login(Client(), manager).post(
        reverse("content:item_submit", args=[item.pk]),
        {"submit-review_due_on": "2020-01-01"},
    )
    assert response.status_code == 400
    assert "Choose a date in the future." in response.content.decode()
    item.refresh_from_db()
    assert item.state == "draft"


# --- The organization's number of review days


def test_an_admin_sets_the_number_of_review_days(org, admin):
    settings_url = reverse("accounts:org_settings")
    client = login(Client(), admin)
    assert 'name="review_days"' in client.get(settings_url).content.decode()
    response = client.post(
        settings_url,
        {
            "name": org.name,
            "default_language": "fr",
            "approvals_required": 1,
            "review_days": 5,
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.review_days == 5


@pytest.mark.parametrize("days", [0, 61, "3", True])
def test_the_number_of_review_days_is_checked(org, admin, days):
    from portevoix.accounts import services as account_services

    with pytest.raises(DomainError) as exc:
        account_services.organization_update(actor=admin, organization=org, review_days=days)
    assert "review_days" in exc.value.field_errors
