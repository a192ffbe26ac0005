"""The review due date, the approvers' reminder (once per item and day), and the author's
emails on approval and on changes requested (through the queue, after the commit, in the
author's language)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from portevoix.accounts.roles import Role
from portevoix.content import services
from portevoix.content.models import ContentItem, ReviewEmail
from portevoix.content.services import approvals as review_services
from portevoix.core import clock
from portevoix.core.errors import DomainError
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
